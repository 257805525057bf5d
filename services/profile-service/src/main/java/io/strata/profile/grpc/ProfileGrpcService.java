package io.strata.profile.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityRules;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileView;
import io.strata.profile.identity.IdentityRuleStore;
import io.strata.profile.identity.MergeHistory;
import io.strata.profile.mapping.ProfileMapper;
import io.strata.profile.repository.ProfileReadRepository;
import io.strata.profile.service.ProfileCommands;
import io.strata.profile.service.ProfileQueryService;
import io.strata.profile.service.ProfileRefs;
import io.strata.profile.service.Unmerger;
import io.strata.profile.tags.TagDefinition;
import io.strata.proto.profile.v1.*;
import io.strata.proto.profile.v1.GetProfileRequest;
import io.strata.proto.profile.v1.GetProfileResponse;
import io.strata.proto.profile.v1.LookupProfileRequest;
import io.strata.proto.profile.v1.LookupProfileResponse;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.ProfileService;
import io.strata.proto.profile.v1.SummarizeProfilesRequest;
import io.strata.proto.profile.v1.SummarizeProfilesResponse;
import jakarta.annotation.security.RolesAllowed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Profiles for the other services. Every call carries a service token (audience strata-services)
 * and is made for a signed-in user of the request's tenant (services/platform {@link Access}): the
 * gateway forwards the user's token, and the tenant of the request must be the user's.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class ProfileGrpcService implements ProfileService {

    static final int DEFAULT_TOP_EVENTS = 10;
    static final int MAX_TOP_EVENTS = 100;

    private final ProfileQueryService profiles;
    private final ProfileCommands commands;
    private final Unmerger unmerger;
    private final MergeHistory history;
    private final IdentityRuleStore rules;
    private final io.strata.profile.service.TagJobs jobs;
    private final java.util.Set<String> resendClients;
    private final java.util.Set<String> consentWriters;
    private final Access access;
    private final CurrentIdentityAssociation identity;

    public ProfileGrpcService(
            ProfileQueryService profiles,
            ProfileCommands commands,
            Unmerger unmerger,
            MergeHistory history,
            IdentityRuleStore rules,
            io.strata.profile.service.TagJobs jobs,
            io.strata.profile.config.ProfileConfig config,
            Access access,
            CurrentIdentityAssociation identity) {
        this.jobs = jobs;
        this.resendClients = config.feed().resendClients();
        this.consentWriters = config.consentWriters();
        this.profiles = profiles;
        this.commands = commands;
        this.unmerger = unmerger;
        this.history = history;
        this.rules = rules;
        this.access = access;
        this.identity = identity;
    }

    @Override
    public Uni<GetProfileResponse> getProfile(GetProfileRequest request) {
        return forUser(request.getTenant(), () -> {
            UUID id;
            try {
                id = UUID.fromString(request.getProfileId());
            } catch (IllegalArgumentException e) {
                throw Errors.invalid("profile_id", "profile_id must be a UUID");
            }
            return profiles.byId(request.getTenant(), id)
                    .map(view -> GetProfileResponse.newBuilder()
                            .setProfile(found(view, "profile " + id))
                            .build());
        });
    }

    @Override
    public Uni<LookupProfileResponse> lookupProfile(LookupProfileRequest request) {
        return forUser(request.getTenant(), () -> {
            if (!request.hasIdentity() || request.getIdentity().getValue().isBlank()) {
                throw Errors.invalid("identity.value", "identity.value is required");
            }
            IdentityType type;
            try {
                type = ProfileMapper.fromProto(request.getIdentity().getType());
            } catch (IllegalArgumentException e) {
                throw Errors.invalid("identity.type", e.getMessage());
            }
            return profiles.byIdentity(
                            request.getTenant(), type, request.getIdentity().getValue())
                    .map(view -> LookupProfileResponse.newBuilder()
                            .setProfile(found(
                                    view,
                                    "profile with " + type.name().toLowerCase() + " "
                                            + request.getIdentity().getValue()))
                            .build());
        });
    }

    @Override
    public Uni<SummarizeProfilesResponse> summarizeProfiles(SummarizeProfilesRequest request) {
        return forUser(request.getTenant(), () -> {
            int top = request.getTopEvents();
            if (top < 0 || top > MAX_TOP_EVENTS) {
                throw Errors.invalid("top_events", "top_events must be between 0 and " + MAX_TOP_EVENTS);
            }
            return profiles.summarize(request.getTenant(), top == 0 ? DEFAULT_TOP_EVENTS : top)
                    .map(ProfileMapper::toProto);
        });
    }

    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 500;

    @Override
    public Uni<ListProfilesResponse> listProfiles(ListProfilesRequest request) {
        return forUser(request.getTenant(), () -> {
            int size = page(request.getPageSize());
            UUID after = cursor(request.getPageToken());
            List<String[]> tags = new ArrayList<>();
            for (int i = 0; i < request.getTagsCount(); i++) {
                String tag = request.getTags(i);
                String[] parts = tag.split("=", 2);
                if (!TagDefinition.KEY.matcher(parts[0]).matches()) {
                    throw Errors.invalid("tags[" + i + "]", "a tag filter is key or key=value");
                }
                tags.add(parts);
            }
            Instant since = request.hasSeenSince()
                    ? Instant.ofEpochSecond(
                            request.getSeenSince().getSeconds(),
                            request.getSeenSince().getNanos())
                    : null;
            var filter = new ProfileReadRepository.Filter(tags, request.hasKnown() ? request.getKnown() : null, since);
            return profiles.list(request.getTenant(), filter, after, size + 1).map(views -> {
                ListProfilesResponse.Builder out = ListProfilesResponse.newBuilder();
                for (int i = 0; i < Math.min(size, views.size()); i++) {
                    out.addProfiles(ProfileMapper.toProto(views.get(i)));
                }
                if (views.size() > size) {
                    out.setNextPageToken(views.get(size - 1).id().toString());
                }
                return out.build();
            });
        });
    }

    @Override
    public Uni<SetConsentsResponse> setConsents(SetConsentsRequest request) {
        // a marketer's statements, or a service's of consent-writers (the opt-outs people reply)
        return access.call(identity.getDeferredIdentity())
                .forAnyone(request.getTenant(), Roles.MARKETER, consentWriters)
                .chain(caller -> {
                    if (caller.client() != null && caller.user() == null && caller.tenant() != null) {
                        throw Errors.denied(
                                io.strata.platform.errors.Reason.CLIENT_NOT_ALLOWED,
                                "a partner may not record consent");
                    }
                    if (!caller.forUser() && request.getTenant().isBlank()) {
                        throw Errors.invalid("tenant", "tenant is required");
                    }
                    if (!caller.forUser()) {
                        // a service relays what people replied: refusals, never a grant
                        for (int i = 0; i < request.getUpdatesCount(); i++) {
                            var u = request.getUpdates(i);
                            if (u.getGranted() || !u.getSource().startsWith("reply:")) {
                                throw Errors.invalid(
                                        "updates[" + i + "]",
                                        "a service records only the refusals people replied (granted false, source"
                                                + " reply:<channel>)");
                            }
                        }
                    }
                    return caller.within(Uni.createFrom()
                            .deferred(() -> commands.setConsents(request.getTenant(), request.getUpdatesList()))
                            .map(result -> SetConsentsResponse.newBuilder()
                                    .setApplied(result.applied())
                                    .addAllRefused(result.refused())
                                    .build()));
                });
    }

    @Override
    public Uni<GetConsentsResponse> getConsents(GetConsentsRequest request) {
        return forUser(
                request.getTenant(),
                () -> profile(request.getTenant(), request.getProfile())
                        .map(profile -> GetConsentsResponse.newBuilder()
                                .setProfileId(profile.getId())
                                .addAllConsents(profile.getConsentsList())
                                .build()));
    }

    @Override
    public Uni<RequestDeletionResponse> requestDeletion(RequestDeletionRequest request) {
        return access.forUser(identity.getDeferredIdentity(), request.getTenant(), Roles.ADMIN)
                .chain(caller -> caller.within(Uni.createFrom().deferred(() -> {
                    List<RefusedRow> refused = new ArrayList<>();
                    ProfileRefs.Ref ref = ProfileRefs.check(0, request.getProfile(), "profile", refused);
                    if (ref == null) {
                        throw Errors.invalid(
                                refused.get(0).getField(), refused.get(0).getReason());
                    }
                    if (request.getReason().length() > 500) {
                        throw Errors.invalid("reason", "reason has at most 500 characters");
                    }
                    return commands.requestDeletion(request.getTenant(), ref, request.getReason(), caller.user())
                            .map(d -> RequestDeletionResponse.newBuilder()
                                    .setRequest(toProto(d))
                                    .build());
                })));
    }

    @Override
    public Uni<GetDeletionRequestResponse> getDeletionRequest(GetDeletionRequestRequest request) {
        return forUser(request.getTenant(), Roles.ADMIN, () -> {
            UUID id = uuid("id", request.getId());
            return commands.deletion(request.getTenant(), id).map(d -> {
                if (d == null) {
                    throw Errors.notFound("deletion request " + id + " not found");
                }
                return GetDeletionRequestResponse.newBuilder()
                        .setRequest(toProto(d))
                        .build();
            });
        });
    }

    @Override
    public Uni<ListDeletionRequestsResponse> listDeletionRequests(ListDeletionRequestsRequest request) {
        return forUser(request.getTenant(), Roles.ADMIN, () -> {
            int size = page(request.getPageSize());
            UUID after = cursor(request.getPageToken());
            return commands.deletions(request.getTenant(), size + 1, after).map(list -> {
                ListDeletionRequestsResponse.Builder out = ListDeletionRequestsResponse.newBuilder();
                for (int i = 0; i < Math.min(size, list.size()); i++) {
                    out.addRequests(toProto(list.get(i)));
                }
                if (list.size() > size) {
                    out.setNextPageToken(list.get(size - 1).id().toString());
                }
                return out.build();
            });
        });
    }

    @Override
    public Uni<GetMergeHistoryResponse> getMergeHistory(GetMergeHistoryRequest request) {
        return forUser(request.getTenant(), () -> {
            UUID id = uuid("profile_id", request.getProfileId());
            return history.of(request.getTenant(), id).map(h -> {
                if (h.profile() == null) {
                    throw Errors.notFound("profile " + id + " not found");
                }
                GetMergeHistoryResponse.Builder out = GetMergeHistoryResponse.newBuilder()
                        .setProfileId(h.profile().toString());
                for (MergeHistory.Merge m : h.merges()) {
                    MergeRecord.Builder record = MergeRecord.newBuilder()
                            .setMergedProfileId(m.merged().toString())
                            .setIntoProfileId(m.into().toString())
                            .setMergedAt(ProfileMapper.timestamp(m.at()));
                    m.identities().forEach(i -> record.addIdentities(identity(i)));
                    if (m.unmergedAt() != null) {
                        record.setUnmergedAt(ProfileMapper.timestamp(m.unmergedAt()))
                                .setUnmergedBy(m.unmergedBy());
                    }
                    out.addMerges(record);
                }
                for (MergeHistory.Refusal r : h.refusals()) {
                    IdentityRefusal.Builder refusal = IdentityRefusal.newBuilder()
                            .setIdentity(identity(r.identity()))
                            .setReason(r.reason())
                            .setTimes(r.times())
                            .setFirstAt(ProfileMapper.timestamp(r.first()))
                            .setLastAt(ProfileMapper.timestamp(r.last()));
                    if (r.other() != null) {
                        refusal.setOtherProfileId(r.other().toString());
                    }
                    out.addRefusals(refusal);
                }
                return out.build();
            });
        });
    }

    @Override
    public Uni<UnmergeResponse> unmerge(UnmergeRequest request) {
        return access.forUser(identity.getDeferredIdentity(), request.getTenant(), Roles.ADMIN)
                .chain(caller -> caller.within(Uni.createFrom().deferred(() -> {
                    UUID profile = uuid("profile_id", request.getProfileId());
                    UUID merged = uuid("merged_profile_id", request.getMergedProfileId());
                    if (profile.equals(merged)) {
                        throw Errors.invalid("merged_profile_id", "merged_profile_id names the profile itself");
                    }
                    String tenant = request.getTenant();
                    return unmerger.unmerge(tenant, profile, merged, caller.user())
                            .chain(outcome -> Uni.combine()
                                    .all()
                                    .unis(
                                            profiles.byId(tenant, outcome.profile()),
                                            profiles.byId(tenant, outcome.restored()))
                                    .asTuple()
                                    .map(views -> UnmergeResponse.newBuilder()
                                            .setProfile(found(views.getItem1(), "profile"))
                                            .setRestored(found(views.getItem2(), "restored profile"))
                                            .setEventsMoved(outcome.eventsMoved())
                                            .build()));
                })));
    }

    @Override
    public Uni<GetIdentityRulesResponse> getIdentityRules(GetIdentityRulesRequest request) {
        return forUser(
                request.getTenant(),
                () -> rules.stored(request.getTenant())
                        .map(stored -> GetIdentityRulesResponse.newBuilder()
                                .setRules(toProto(stored))
                                .build()));
    }

    @Override
    public Uni<SetIdentityRulesResponse> setIdentityRules(SetIdentityRulesRequest request) {
        return access.forUser(identity.getDeferredIdentity(), request.getTenant(), Roles.ADMIN)
                .chain(caller -> caller.within(Uni.createFrom().deferred(() -> {
                    IdentityRules parsed = fromProto(request.getRules());
                    long expected = request.hasExpectedVersion() ? request.getExpectedVersion() : -1;
                    if (request.hasExpectedVersion() && expected < 0) {
                        throw Errors.invalid("expected_version", "expected_version cannot be negative");
                    }
                    return rules.save(request.getTenant(), parsed, expected, caller.user(), Instant.now())
                            .map(stored -> {
                                if (stored == null) {
                                    throw Errors.precondition(
                                            "the identity rules are no longer at version " + expected);
                                }
                                return SetIdentityRulesResponse.newBuilder()
                                        .setRules(toProto(stored))
                                        .build();
                            });
                })));
    }

    @Override
    public Uni<ResendProfilesResponse> resendProfiles(ResendProfilesRequest request) {
        return access.call(identity.getDeferredIdentity())
                .forAnyone(request.getTenant(), Roles.ADMIN, resendClients)
                .chain(caller -> caller.within(Uni.createFrom()
                        .deferred(() -> jobs.resend(
                                request.getTenant(), caller.user() != null ? caller.user() : caller.client()))
                        .map(job -> ResendProfilesResponse.newBuilder()
                                .setJob(toProto(job))
                                .build())));
    }

    @Override
    public Uni<GetResendJobResponse> getResendJob(GetResendJobRequest request) {
        return access.call(identity.getDeferredIdentity())
                .forAnyone(request.getTenant(), Roles.ADMIN, resendClients)
                .chain(caller -> caller.within(Uni.createFrom().deferred(() -> {
                    UUID id = uuid("id", request.getId());
                    return jobs.get(request.getTenant(), id).map(job -> {
                        if (job == null || !"resend".equals(job.kind())) {
                            throw Errors.notFound("resend job " + id + " not found");
                        }
                        return GetResendJobResponse.newBuilder()
                                .setJob(toProto(job))
                                .build();
                    });
                })));
    }

    private static ResendJob toProto(io.strata.profile.service.TagJobs.Job job) {
        ResendJob.Builder out = ResendJob.newBuilder()
                .setId(job.id().toString())
                .setTenant(job.tenant())
                .setStatus(job.status())
                .setProfiles(job.profiles())
                .setCreatedAt(ProfileMapper.timestamp(job.createdAt()));
        if (job.requestedBy() != null) {
            out.setRequestedBy(job.requestedBy());
        }
        if (job.finishedAt() != null) {
            out.setFinishedAt(ProfileMapper.timestamp(job.finishedAt()));
        }
        return out.build();
    }

    private static io.strata.proto.profile.v1.IdentityRules toProto(IdentityRuleStore.Stored stored) {
        var out = io.strata.proto.profile.v1.IdentityRules.newBuilder().setVersion(stored.version());
        IdentityRules r = stored.rules();
        r.priority().forEach(t -> out.addPriority(ProfileMapper.toProto(t)));
        for (IdentityType type : IdentityType.values()) {
            if (r.limit(type) != Integer.MAX_VALUE) {
                out.addLimits(IdentityLimit.newBuilder()
                        .setType(ProfileMapper.toProto(type))
                        .setMax(r.limit(type)));
            }
        }
        r.blocked().stream()
                .sorted(java.util.Comparator.comparing(IdentityKey::type).thenComparing(IdentityKey::value))
                .forEach(b -> out.addBlocked(identity(b)));
        if (stored.updatedAt() != null) {
            out.setUpdatedAt(ProfileMapper.timestamp(stored.updatedAt())).setUpdatedBy(stored.updatedBy());
        }
        return out.build();
    }

    /** The proto's rules, checked as the JSON form is (the same rules, the same field names). */
    private static IdentityRules fromProto(io.strata.proto.profile.v1.IdentityRules rules) {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        var priority = json.putArray("priority");
        for (int i = 0; i < rules.getPriorityCount(); i++) {
            priority.add(typeName(rules.getPriority(i), "rules.priority[" + i + "]"));
        }
        var limits = json.putObject("limits");
        for (int i = 0; i < rules.getLimitsCount(); i++) {
            IdentityLimit limit = rules.getLimits(i);
            String type = typeName(limit.getType(), "rules.limits[" + i + "].type");
            if (limits.has(type)) {
                throw Errors.invalid("rules.limits[" + i + "].type", type + " is limited twice");
            }
            limits.put(type, limit.getMax());
        }
        var blocked = json.putArray("blocked");
        for (int i = 0; i < rules.getBlockedCount(); i++) {
            blocked.addObject()
                    .put("type", typeName(rules.getBlocked(i).getType(), "rules.blocked[" + i + "].type"))
                    .put("value", rules.getBlocked(i).getValue());
        }
        try {
            return IdentityRules.parse(json);
        } catch (IdentityRules.InvalidRulesException e) {
            String field = "rules." + e.field();
            for (int i = 0; i < rules.getLimitsCount(); i++) {
                if (e.field()
                        .equals("limits."
                                + ProfileMapper.fromProto(rules.getLimits(i).getType())
                                        .name())) {
                    field = "rules.limits[" + i + "].max";
                }
            }
            throw Errors.invalid(field, e.getMessage());
        }
    }

    private static String typeName(io.strata.proto.common.v1.IdentityType type, String field) {
        try {
            return ProfileMapper.fromProto(type).name();
        } catch (IllegalArgumentException e) {
            throw Errors.invalid(field, e.getMessage());
        }
    }

    private static io.strata.proto.common.v1.Identity identity(IdentityKey key) {
        return io.strata.proto.common.v1.Identity.newBuilder()
                .setType(ProfileMapper.toProto(key.type()))
                .setValue(key.value())
                .build();
    }

    private Uni<Profile> profile(String tenant, ProfileRef ref) {
        List<RefusedRow> refused = new ArrayList<>();
        ProfileRefs.Ref checked = ProfileRefs.check(0, ref, "profile", refused);
        if (checked == null) {
            throw Errors.invalid(refused.get(0).getField(), refused.get(0).getReason());
        }
        Uni<ProfileView> view = checked.id() != null
                ? profiles.byId(tenant, checked.id())
                : profiles.byIdentity(
                        tenant, checked.identity().type(), checked.identity().value());
        return view.map(v -> found(v, "profile"));
    }

    private static DeletionRequest toProto(ProfileCommands.Deletion d) {
        DeletionRequest.Builder out = DeletionRequest.newBuilder()
                .setId(d.id().toString())
                .setTenant(d.tenant())
                .setStatus(d.status())
                .setReason(d.reason())
                .setRequestedBy(d.requestedBy())
                .setRequestedAt(ProfileMapper.timestamp(d.requestedAt()))
                .setProfiles(d.profiles())
                .setIdentifiers(d.identifiers())
                .setEvents(d.events());
        if (d.identityType() != null) {
            out.setIdentityType(d.identityType());
        }
        if (d.completedAt() != null) {
            out.setCompletedAt(ProfileMapper.timestamp(d.completedAt()));
        }
        return out.build();
    }

    private static int page(int requested) {
        if (requested < 0 || requested > MAX_PAGE) {
            throw Errors.invalid("page_size", "page_size must be between 0 and " + MAX_PAGE);
        }
        return requested == 0 ? DEFAULT_PAGE : requested;
    }

    private static UUID cursor(String token) {
        return token.isEmpty() ? null : uuid("page_token", token);
    }

    private static UUID uuid(String field, String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw Errors.invalid(field, field + " is not valid");
        }
    }

    private <T> Uni<T> forUser(String tenant, String role, Supplier<Uni<T>> call) {
        return access.forUser(identity.getDeferredIdentity(), tenant, role)
                .chain(caller -> caller.within(Uni.createFrom().deferred(call::get)));
    }

    /** Every read is for a user of the tenant who may at least view, and ends when the caller gives up. */
    private <T> Uni<T> forUser(String tenant, Supplier<Uni<T>> call) {
        return access.forUser(identity.getDeferredIdentity(), tenant, Roles.VIEWER)
                .chain(caller -> caller.within(Uni.createFrom().deferred(call::get)));
    }

    private static Profile found(ProfileView view, String what) {
        if (view == null) {
            throw Errors.notFound(what + " not found");
        }
        return ProfileMapper.toProto(view);
    }
}
