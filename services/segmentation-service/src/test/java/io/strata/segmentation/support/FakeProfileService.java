package io.strata.segmentation.support;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.security.Access;
import io.strata.proto.profile.v1.MutinyProfileServiceGrpc;
import io.strata.proto.profile.v1.ResendJob;
import io.strata.proto.profile.v1.ResendProfilesRequest;
import io.strata.proto.profile.v1.ResendProfilesResponse;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * profile-service as the tests see it: {@code ResendProfiles} records the tenants asked for, from
 * segmentation-service's own client only (as profile-service's {@code resend-clients} allows).
 */
@GrpcService
public class FakeProfileService extends MutinyProfileServiceGrpc.ProfileServiceImplBase {

    /** The tenants asked for, in order. */
    public static final List<String> RESENDS = new CopyOnWriteArrayList<>();

    @Inject
    Access access;

    @Inject
    CurrentIdentityAssociation identity;

    @Override
    public Uni<ResendProfilesResponse> resendProfiles(ResendProfilesRequest request) {
        return access.call(identity.getDeferredIdentity())
                .forService(Set.of("strata-segmentation-service"))
                .map(caller -> {
                    RESENDS.add(request.getTenant());
                    return ResendProfilesResponse.newBuilder()
                            .setJob(ResendJob.newBuilder()
                                    .setId("job-" + RESENDS.size())
                                    .setTenant(request.getTenant())
                                    .setStatus("queued"))
                            .build();
                });
    }
}
