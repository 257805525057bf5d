package io.strata.profile.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileView;
import io.strata.profile.mapping.ProfileMapper;
import io.strata.profile.service.ProfileQueryService;
import io.strata.proto.profile.v1.GetProfileRequest;
import io.strata.proto.profile.v1.GetProfileResponse;
import io.strata.proto.profile.v1.LookupProfileRequest;
import io.strata.proto.profile.v1.LookupProfileResponse;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.ProfileService;
import io.strata.proto.profile.v1.SummarizeProfilesRequest;
import io.strata.proto.profile.v1.SummarizeProfilesResponse;
import jakarta.annotation.security.RolesAllowed;
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
    private final Access access;
    private final CurrentIdentityAssociation identity;

    public ProfileGrpcService(ProfileQueryService profiles, Access access, CurrentIdentityAssociation identity) {
        this.profiles = profiles;
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
