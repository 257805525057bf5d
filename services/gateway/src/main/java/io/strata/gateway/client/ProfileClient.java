package io.strata.gateway.client;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.profile.v1.GetProfileRequest;
import io.strata.proto.profile.v1.GetProfileResponse;
import io.strata.proto.profile.v1.LookupProfileRequest;
import io.strata.proto.profile.v1.LookupProfileResponse;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.ProfileService;

/** profile-service over gRPC, always for one tenant. */
@ApplicationScoped
public class ProfileClient {

    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private final ProfileService profiles;

    public ProfileClient(@GrpcClient("profile") ProfileService profiles) {
        this.profiles = profiles;
    }

    public Uni<Profile> get(String tenant, String id) {
        return profiles.getProfile(GetProfileRequest.newBuilder().setTenant(tenant).setProfileId(id).build())
                .ifNoItem().after(DEADLINE).fail()
                .map(GetProfileResponse::getProfile);
    }

    public Uni<Profile> lookup(String tenant, IdentityType type, String value) {
        return profiles.lookupProfile(LookupProfileRequest.newBuilder()
                        .setTenant(tenant)
                        .setIdentity(Identity.newBuilder().setType(type).setValue(value))
                        .build())
                .ifNoItem().after(DEADLINE).fail()
                .map(LookupProfileResponse::getProfile);
    }
}
