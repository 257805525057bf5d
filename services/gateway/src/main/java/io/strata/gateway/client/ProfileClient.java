package io.strata.gateway.client;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.smallrye.mutiny.Uni;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.profile.v1.GetProfileRequest;
import io.strata.proto.profile.v1.GetProfileResponse;
import io.strata.proto.profile.v1.LookupProfileRequest;
import io.strata.proto.profile.v1.LookupProfileResponse;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.ProfileService;
import io.strata.proto.profile.v1.SummarizeProfilesRequest;
import io.strata.proto.profile.v1.SummarizeProfilesResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** profile-service over gRPC, always for one tenant. */
@ApplicationScoped
public class ProfileClient {

    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private final ProfileService profiles;
    private final ServiceTokens tokens;

    public ProfileClient(@GrpcClient("profile") ProfileService profiles, ServiceTokens tokens) {
        this.profiles = profiles;
        this.tokens = tokens;
    }

    /** The stub with the gateway's service token attached. */
    private Uni<ProfileService> authorized() {
        return tokens.metadata().map(metadata -> GrpcClientUtils.attachHeaders(profiles, metadata));
    }

    public Uni<Profile> get(String tenant, String id) {
        return authorized()
                .chain(s -> s.getProfile(GetProfileRequest.newBuilder()
                        .setTenant(tenant)
                        .setProfileId(id)
                        .build()))
                .ifNoItem()
                .after(DEADLINE)
                .fail()
                .map(GetProfileResponse::getProfile);
    }

    public Uni<Profile> lookup(String tenant, IdentityType type, String value) {
        return authorized()
                .chain(s -> s.lookupProfile(LookupProfileRequest.newBuilder()
                        .setTenant(tenant)
                        .setIdentity(Identity.newBuilder().setType(type).setValue(value))
                        .build()))
                .ifNoItem()
                .after(DEADLINE)
                .fail()
                .map(LookupProfileResponse::getProfile);
    }

    public Uni<SummarizeProfilesResponse> summarize(String tenant, int topEvents) {
        return authorized()
                .chain(s -> s.summarizeProfiles(SummarizeProfilesRequest.newBuilder()
                        .setTenant(tenant)
                        .setTopEvents(topEvents)
                        .build()))
                .ifNoItem()
                .after(DEADLINE)
                .fail();
    }
}
