package io.strata.gateway.client;

import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.config.GatewayConfig;
import io.strata.gateway.security.SignedIn;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.profile.v1.GetProfileRequest;
import io.strata.proto.profile.v1.GetProfileResponse;
import io.strata.proto.profile.v1.LookupProfileRequest;
import io.strata.proto.profile.v1.LookupProfileResponse;
import io.strata.proto.profile.v1.MutinyProfileServiceGrpc.MutinyProfileServiceStub;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.SummarizeProfilesRequest;
import io.strata.proto.profile.v1.SummarizeProfilesResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/** profile-service over gRPC, always for a signed-in user (whose token goes along) and with a deadline. */
@ApplicationScoped
public class ProfileClient {

    private final MutinyProfileServiceStub profiles;
    private final long deadlineMillis;

    public ProfileClient(@GrpcClient("profile") MutinyProfileServiceStub profiles, GatewayConfig config) {
        this.profiles = profiles;
        this.deadlineMillis = config.calls().deadline().toMillis();
    }

    private MutinyProfileServiceStub forUser(SignedIn user) {
        return profiles.withOption(ServiceCallInterceptor.FOR_USER, user.token())
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    public Uni<Profile> get(SignedIn user, String id) {
        return forUser(user)
                .getProfile(GetProfileRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setProfileId(id)
                        .build())
                .map(GetProfileResponse::getProfile);
    }

    public Uni<Profile> lookup(SignedIn user, IdentityType type, String value) {
        return forUser(user)
                .lookupProfile(LookupProfileRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setIdentity(Identity.newBuilder().setType(type).setValue(value))
                        .build())
                .map(LookupProfileResponse::getProfile);
    }

    public Uni<SummarizeProfilesResponse> summarize(SignedIn user, int topEvents) {
        return forUser(user)
                .summarizeProfiles(SummarizeProfilesRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setTopEvents(topEvents)
                        .build());
    }

    public Uni<io.strata.proto.profile.v1.SetConsentsResponse> setConsents(
            SignedIn user, java.util.List<io.strata.proto.profile.v1.ConsentUpdate> updates) {
        return forUser(user)
                .setConsents(io.strata.proto.profile.v1.SetConsentsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .addAllUpdates(updates)
                        .build());
    }

    public Uni<io.strata.proto.profile.v1.GetConsentsResponse> consents(
            SignedIn user, io.strata.proto.profile.v1.ProfileRef profile) {
        return forUser(user)
                .getConsents(io.strata.proto.profile.v1.GetConsentsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setProfile(profile)
                        .build());
    }

    public Uni<io.strata.proto.profile.v1.DeletionRequest> requestDeletion(
            SignedIn user, io.strata.proto.profile.v1.ProfileRef profile, String reason) {
        return forUser(user)
                .requestDeletion(io.strata.proto.profile.v1.RequestDeletionRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setProfile(profile)
                        .setReason(reason)
                        .build())
                .map(io.strata.proto.profile.v1.RequestDeletionResponse::getRequest);
    }

    public Uni<io.strata.proto.profile.v1.DeletionRequest> deletion(SignedIn user, String id) {
        return forUser(user)
                .getDeletionRequest(io.strata.proto.profile.v1.GetDeletionRequestRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setId(id)
                        .build())
                .map(io.strata.proto.profile.v1.GetDeletionRequestResponse::getRequest);
    }

    public Uni<io.strata.proto.profile.v1.ListDeletionRequestsResponse> deletions(
            SignedIn user, int pageSize, String pageToken) {
        return forUser(user)
                .listDeletionRequests(io.strata.proto.profile.v1.ListDeletionRequestsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setPageSize(pageSize)
                        .setPageToken(pageToken)
                        .build());
    }

    public Uni<io.strata.proto.profile.v1.ListProfilesResponse> list(
            SignedIn user, io.strata.proto.profile.v1.ListProfilesRequest.Builder request) {
        return forUser(user).listProfiles(request.setTenant(user.tenant()).build());
    }

    public Uni<io.strata.proto.profile.v1.GetMergeHistoryResponse> mergeHistory(SignedIn user, String profileId) {
        return forUser(user)
                .getMergeHistory(io.strata.proto.profile.v1.GetMergeHistoryRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setProfileId(profileId)
                        .build());
    }

    public Uni<io.strata.proto.profile.v1.UnmergeResponse> unmerge(
            SignedIn user, String profileId, String mergedProfileId) {
        return forUser(user)
                .unmerge(io.strata.proto.profile.v1.UnmergeRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setProfileId(profileId)
                        .setMergedProfileId(mergedProfileId)
                        .build());
    }

    public Uni<io.strata.proto.profile.v1.IdentityRules> identityRules(SignedIn user) {
        return forUser(user)
                .getIdentityRules(io.strata.proto.profile.v1.GetIdentityRulesRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build())
                .map(io.strata.proto.profile.v1.GetIdentityRulesResponse::getRules);
    }

    public Uni<io.strata.proto.profile.v1.IdentityRules> setIdentityRules(
            SignedIn user, io.strata.proto.profile.v1.IdentityRules rules, Long expectedVersion) {
        var request = io.strata.proto.profile.v1.SetIdentityRulesRequest.newBuilder()
                .setTenant(user.tenant())
                .setRules(rules);
        if (expectedVersion != null) {
            request.setExpectedVersion(expectedVersion);
        }
        return forUser(user)
                .setIdentityRules(request.build())
                .map(io.strata.proto.profile.v1.SetIdentityRulesResponse::getRules);
    }

    public Uni<io.strata.proto.profile.v1.ResendJob> resend(SignedIn user) {
        return forUser(user)
                .resendProfiles(io.strata.proto.profile.v1.ResendProfilesRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build())
                .map(io.strata.proto.profile.v1.ResendProfilesResponse::getJob);
    }

    public Uni<io.strata.proto.profile.v1.ResendJob> resendJob(SignedIn user, String id) {
        return forUser(user)
                .getResendJob(io.strata.proto.profile.v1.GetResendJobRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setId(id)
                        .build())
                .map(io.strata.proto.profile.v1.GetResendJobResponse::getJob);
    }
}
