package io.strata.gateway.rest;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.profile.v1.EventTotal;
import io.strata.proto.profile.v1.GetProfileRequest;
import io.strata.proto.profile.v1.GetProfileResponse;
import io.strata.proto.profile.v1.LookupProfileRequest;
import io.strata.proto.profile.v1.LookupProfileResponse;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.ProfileService;
import io.strata.proto.profile.v1.SummarizeProfilesRequest;
import io.strata.proto.profile.v1.SummarizeProfilesResponse;

/**
 * Stands in for profile-service in the gateway's component tests: tenant "demo" has one profile,
 * user "u1"; every other tenant has none, so a test sees exactly what the gateway asked for.
 */
@GrpcService
public class FakeProfileGrpcService implements ProfileService {

    /** A user id whose lookup never answers: the gateway's deadline ends the call. */
    static final String SILENT = "silent";

    /** Set once the call the gateway gave up on was cancelled here. */
    static final java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();

    private final Access access;
    private final CurrentIdentityAssociation identity;

    public FakeProfileGrpcService(Access access, CurrentIdentityAssociation identity) {
        this.access = access;
        this.identity = identity;
    }

    /** As profile-service: the caller may act for a viewer of the request's tenant. */
    private <T> Uni<T> checked(String tenant, java.util.function.Supplier<Uni<T>> call) {
        return access.forUser(identity.getDeferredIdentity(), tenant, Roles.VIEWER)
                .chain(caller -> caller.within(call.get()));
    }

    static final String ID = "6f1c2d2e-8a7b-4c55-9d7e-0a1b2c3d4e5f";

    static Profile profile() {
        return Profile.newBuilder()
                .setId(ID)
                .setTenant("demo")
                .addIdentities(Identity.newBuilder()
                        .setType(IdentityType.IDENTITY_TYPE_USER_ID)
                        .setValue("u1"))
                .addIdentities(Identity.newBuilder()
                        .setType(IdentityType.IDENTITY_TYPE_ANONYMOUS_ID)
                        .setValue("a1"))
                .putEventCounts("Order Completed", 2)
                .putTags(
                        "clv_tier",
                        io.strata.proto.profile.v1.TagValue.newBuilder()
                                .setEnumValue("high")
                                .setSource("model:strata-segmentation-service")
                                .setSetAt(com.google.protobuf.Timestamp.newBuilder()
                                        .setSeconds(1_700_000_050L))
                                .build())
                .putTags(
                        "vip_manual",
                        io.strata.proto.profile.v1.TagValue.newBuilder()
                                .setBoolValue(true)
                                .setSource("manual")
                                .build())
                .setCreatedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_700_000_000L))
                .setUpdatedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_700_000_100L))
                .build();
    }

    @Override
    public Uni<GetProfileResponse> getProfile(GetProfileRequest request) {
        return checked(request.getTenant(), () -> get(request));
    }

    private Uni<GetProfileResponse> get(GetProfileRequest request) {
        if ("demo".equals(request.getTenant()) && ID.equals(request.getProfileId())) {
            return Uni.createFrom()
                    .item(GetProfileResponse.newBuilder().setProfile(profile()).build());
        }
        return Uni.createFrom()
                .failure(Status.NOT_FOUND.withDescription("profile not found").asRuntimeException());
    }

    @Override
    public Uni<LookupProfileResponse> lookupProfile(LookupProfileRequest request) {
        return checked(request.getTenant(), () -> lookup(request));
    }

    private Uni<LookupProfileResponse> lookup(LookupProfileRequest request) {
        Identity identity = request.getIdentity();
        if (identity.getValue().equals(SILENT)) {
            return Uni.createFrom()
                    .<LookupProfileResponse>nothing()
                    .onCancellation()
                    .invoke(() -> cancelled.set(true));
        }
        if ("demo".equals(request.getTenant())
                && identity.getType() == IdentityType.IDENTITY_TYPE_USER_ID
                && identity.getValue().equals("u1")) {
            return Uni.createFrom()
                    .item(LookupProfileResponse.newBuilder()
                            .setProfile(profile())
                            .build());
        }
        if (identity.getValue().equals("unavailable")) {
            return Uni.createFrom().failure(Status.UNAVAILABLE.asRuntimeException());
        }
        return Uni.createFrom()
                .failure(Status.NOT_FOUND.withDescription("no such profile").asRuntimeException());
    }

    @Override
    public Uni<SummarizeProfilesResponse> summarizeProfiles(SummarizeProfilesRequest request) {
        return checked(request.getTenant(), () -> summarize(request));
    }

    private Uni<SummarizeProfilesResponse> summarize(SummarizeProfilesRequest request) {
        SummarizeProfilesResponse.Builder summary = SummarizeProfilesResponse.newBuilder();
        if ("demo".equals(request.getTenant())) {
            summary.setProfiles(3)
                    .setKnownProfiles(1)
                    .putIdentitiesByType("USER_ID", 1)
                    .putIdentitiesByType("ANONYMOUS_ID", 3)
                    .setMerges(1)
                    .setEvents(7)
                    .addTopEvents(EventTotal.newBuilder()
                            .setName("Order Completed")
                            .setEvents(2)
                            .setProfiles(1))
                    .setFirstSeen(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_700_000_000L))
                    .setLastSeen(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_700_000_100L));
        }
        return Uni.createFrom().item(summary.build());
    }

    /** The list requests sent, for the tests to read. */
    static final java.util.List<io.strata.proto.profile.v1.ListProfilesRequest> lists =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Uni<io.strata.proto.profile.v1.ListProfilesResponse> listProfiles(
            io.strata.proto.profile.v1.ListProfilesRequest request) {
        return checked(request.getTenant(), () -> {
            lists.add(request);
            var page = io.strata.proto.profile.v1.ListProfilesResponse.newBuilder();
            if (request.getTenant().equals("demo")) {
                page.addProfiles(profile()).setNextPageToken(ID);
            }
            return Uni.createFrom().item(page.build());
        });
    }

    @Override
    public Uni<io.strata.proto.profile.v1.GetMergeHistoryResponse> getMergeHistory(
            io.strata.proto.profile.v1.GetMergeHistoryRequest request) {
        return checked(request.getTenant(), () -> {
            if (!request.getTenant().equals("demo") || !request.getProfileId().equals(ID)) {
                return Uni.createFrom()
                        .failure(Status.NOT_FOUND
                                .withDescription("profile not found")
                                .asRuntimeException());
            }
            return Uni.createFrom()
                    .item(io.strata.proto.profile.v1.GetMergeHistoryResponse.newBuilder()
                            .setProfileId(ID)
                            .addMerges(io.strata.proto.profile.v1.MergeRecord.newBuilder()
                                    .setMergedProfileId(MERGED)
                                    .setIntoProfileId(ID)
                                    .addIdentities(Identity.newBuilder()
                                            .setType(IdentityType.IDENTITY_TYPE_ANONYMOUS_ID)
                                            .setValue("a1")))
                            .build());
        });
    }

    static final String MERGED = "0b7c9e6a-1d2f-4e3a-8b5c-6d7e8f9a0b1c";

    @Override
    public Uni<io.strata.proto.profile.v1.UnmergeResponse> unmerge(io.strata.proto.profile.v1.UnmergeRequest request) {
        return access.forUser(identity.getDeferredIdentity(), request.getTenant(), Roles.ADMIN)
                .map(caller -> {
                    if (!request.getMergedProfileId().equals(MERGED)) {
                        throw Status.NOT_FOUND.withDescription("no such merge").asRuntimeException();
                    }
                    return io.strata.proto.profile.v1.UnmergeResponse.newBuilder()
                            .setProfile(profile())
                            .setRestored(Profile.newBuilder().setId(MERGED).setTenant("demo"))
                            .setEventsMoved(3)
                            .build();
                });
    }

    /** The rules as the last set left them (per tenant). */
    static final java.util.Map<String, io.strata.proto.profile.v1.IdentityRules> rules =
            new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public Uni<io.strata.proto.profile.v1.GetIdentityRulesResponse> getIdentityRules(
            io.strata.proto.profile.v1.GetIdentityRulesRequest request) {
        return checked(
                request.getTenant(),
                () -> Uni.createFrom()
                        .item(io.strata.proto.profile.v1.GetIdentityRulesResponse.newBuilder()
                                .setRules(rules.getOrDefault(
                                        request.getTenant(),
                                        io.strata.proto.profile.v1.IdentityRules.getDefaultInstance()))
                                .build()));
    }

    @Override
    public Uni<io.strata.proto.profile.v1.SetIdentityRulesResponse> setIdentityRules(
            io.strata.proto.profile.v1.SetIdentityRulesRequest request) {
        return access.forUser(identity.getDeferredIdentity(), request.getTenant(), Roles.ADMIN)
                .map(caller -> {
                    var current = rules.getOrDefault(
                            request.getTenant(), io.strata.proto.profile.v1.IdentityRules.getDefaultInstance());
                    if (request.hasExpectedVersion() && request.getExpectedVersion() != current.getVersion()) {
                        throw Status.FAILED_PRECONDITION
                                .withDescription("the identity rules changed")
                                .asRuntimeException();
                    }
                    var stored = request.getRules().toBuilder()
                            .setVersion(current.getVersion() + 1)
                            .setUpdatedBy(caller.user())
                            .build();
                    rules.put(request.getTenant(), stored);
                    return io.strata.proto.profile.v1.SetIdentityRulesResponse.newBuilder()
                            .setRules(stored)
                            .build();
                });
    }

    /** The consent statements sent, for the tests to read. */
    static final java.util.List<io.strata.proto.profile.v1.SetConsentsRequest> consents =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Uni<io.strata.proto.profile.v1.SetConsentsResponse> setConsents(
            io.strata.proto.profile.v1.SetConsentsRequest request) {
        return checked(request.getTenant(), () -> {
            consents.add(request);
            return Uni.createFrom()
                    .item(io.strata.proto.profile.v1.SetConsentsResponse.newBuilder()
                            .setApplied(request.getUpdatesCount())
                            .build());
        });
    }

    @Override
    public Uni<io.strata.proto.profile.v1.GetConsentsResponse> getConsents(
            io.strata.proto.profile.v1.GetConsentsRequest request) {
        return Uni.createFrom().failure(Status.UNIMPLEMENTED.asRuntimeException());
    }

    @Override
    public Uni<io.strata.proto.profile.v1.RequestDeletionResponse> requestDeletion(
            io.strata.proto.profile.v1.RequestDeletionRequest request) {
        return access.forUser(identity.getDeferredIdentity(), request.getTenant(), Roles.ADMIN)
                .map(caller -> io.strata.proto.profile.v1.RequestDeletionResponse.newBuilder()
                        .setRequest(io.strata.proto.profile.v1.DeletionRequest.newBuilder()
                                .setId("d1")
                                .setStatus("completed")
                                .setIdentityType(request.getProfile()
                                        .getIdentity()
                                        .getType()
                                        .name())
                                .setReason(request.getReason())
                                .setRequestedBy(caller.user()))
                        .build());
    }

    @Override
    public Uni<io.strata.proto.profile.v1.GetDeletionRequestResponse> getDeletionRequest(
            io.strata.proto.profile.v1.GetDeletionRequestRequest request) {
        return Uni.createFrom().failure(Status.UNIMPLEMENTED.asRuntimeException());
    }

    @Override
    public Uni<io.strata.proto.profile.v1.ListDeletionRequestsResponse> listDeletionRequests(
            io.strata.proto.profile.v1.ListDeletionRequestsRequest request) {
        return Uni.createFrom().failure(Status.UNIMPLEMENTED.asRuntimeException());
    }

    @Override
    public Uni<io.strata.proto.profile.v1.ResendProfilesResponse> resendProfiles(
            io.strata.proto.profile.v1.ResendProfilesRequest request) {
        return access.forUser(identity.getDeferredIdentity(), request.getTenant(), Roles.ADMIN)
                .map(caller -> io.strata.proto.profile.v1.ResendProfilesResponse.newBuilder()
                        .setJob(io.strata.proto.profile.v1.ResendJob.newBuilder()
                                .setId(MERGED)
                                .setTenant(request.getTenant())
                                .setStatus("queued")
                                .setRequestedBy(caller.user()))
                        .build());
    }

    @Override
    public Uni<io.strata.proto.profile.v1.GetResendJobResponse> getResendJob(
            io.strata.proto.profile.v1.GetResendJobRequest request) {
        return Uni.createFrom().failure(Status.UNIMPLEMENTED.asRuntimeException());
    }
}
