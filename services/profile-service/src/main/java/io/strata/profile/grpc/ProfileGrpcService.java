package io.strata.profile.grpc;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.ProfileView;
import io.strata.profile.mapping.ProfileMapper;
import io.strata.profile.repository.ProfileSummaryRepository;
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

/** Profiles for the other services; every call carries a service token (audience strata-services). */
@GrpcService
@RolesAllowed("strata-service")
public class ProfileGrpcService implements ProfileService {

    static final int DEFAULT_TOP_EVENTS = 10;
    static final int MAX_TOP_EVENTS = 100;

    private final ProfileQueryService profiles;
    private final ProfileSummaryRepository summaries;

    public ProfileGrpcService(ProfileQueryService profiles, ProfileSummaryRepository summaries) {
        this.profiles = profiles;
        this.summaries = summaries;
    }

    @Override
    public Uni<GetProfileResponse> getProfile(GetProfileRequest request) {
        String tenant = requireTenant(request.getTenant());
        UUID id;
        try {
            id = UUID.fromString(request.getProfileId());
        } catch (IllegalArgumentException e) {
            throw invalid("profile_id must be a UUID");
        }
        return profiles.byId(tenant, id)
                .map(view -> GetProfileResponse.newBuilder()
                        .setProfile(found(view, "profile " + id))
                        .build());
    }

    @Override
    public Uni<LookupProfileResponse> lookupProfile(LookupProfileRequest request) {
        String tenant = requireTenant(request.getTenant());
        if (!request.hasIdentity() || request.getIdentity().getValue().isBlank()) {
            throw invalid("identity.value is required");
        }
        io.strata.profile.domain.IdentityType type;
        try {
            type = ProfileMapper.fromProto(request.getIdentity().getType());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        return profiles.byIdentity(tenant, type, request.getIdentity().getValue())
                .map(view -> LookupProfileResponse.newBuilder()
                        .setProfile(found(
                                view,
                                "profile with " + type.name().toLowerCase() + " "
                                        + request.getIdentity().getValue()))
                        .build());
    }

    @Override
    public Uni<SummarizeProfilesResponse> summarizeProfiles(SummarizeProfilesRequest request) {
        String tenant = requireTenant(request.getTenant());
        int top = request.getTopEvents();
        if (top < 0 || top > MAX_TOP_EVENTS) {
            throw invalid("top_events must be between 0 and " + MAX_TOP_EVENTS);
        }
        return summaries.summarize(tenant, top == 0 ? DEFAULT_TOP_EVENTS : top).map(ProfileMapper::toProto);
    }

    private static Profile found(ProfileView view, String what) {
        if (view == null) {
            throw Status.NOT_FOUND.withDescription(what + " not found").asRuntimeException();
        }
        return ProfileMapper.toProto(view);
    }

    private static String requireTenant(String tenant) {
        if (tenant == null || tenant.isBlank()) {
            throw invalid("tenant is required");
        }
        return tenant;
    }

    private static RuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
