package io.strata.campaign.support;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.security.Access;
import io.strata.proto.profile.v1.MutinyProfileServiceGrpc;
import io.strata.proto.profile.v1.SetConsentsRequest;
import io.strata.proto.profile.v1.SetConsentsResponse;
import jakarta.inject.Inject;
import java.util.Set;

/** profile-service's consent as the tests see it: {@code SetConsents} from campaign-service's own client, recorded. */
@GrpcService
public class FakeConsentService extends MutinyProfileServiceGrpc.ProfileServiceImplBase {

    @Inject
    Access access;

    @Inject
    CurrentIdentityAssociation identity;

    @Override
    public Uni<SetConsentsResponse> setConsents(SetConsentsRequest request) {
        return access.call(identity.getDeferredIdentity())
                .forService(Set.of("strata-campaign-service"))
                .map(caller -> {
                    FakeProfileService.CONSENTS.addAll(request.getUpdatesList());
                    return SetConsentsResponse.newBuilder()
                            .setApplied(request.getUpdatesCount())
                            .build();
                });
    }
}
