package io.strata.campaign.support;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.proto.segmentation.v1.GetSegmentRequest;
import io.strata.proto.segmentation.v1.GetSegmentResponse;
import io.strata.proto.segmentation.v1.MutinySegmentationServiceGrpc;
import io.strata.proto.segmentation.v1.Segment;
import io.strata.proto.segmentation.v1.SegmentState;
import jakarta.inject.Inject;
import java.util.Set;

/**
 * segmentation-service as the tests see it: {@code GetSegment} knows {@code churn-warning},
 * {@code vip} and every id starting {@code aud-}; {@code old-*} are archived. Only campaign-service's
 * own client may ask (as segmentation-service's service-readers allow).
 */
@GrpcService
public class FakeSegmentationService extends MutinySegmentationServiceGrpc.SegmentationServiceImplBase {

    @Inject
    Access access;

    @Inject
    CurrentIdentityAssociation identity;

    @Override
    public Uni<GetSegmentResponse> getSegment(GetSegmentRequest request) {
        return access.call(identity.getDeferredIdentity())
                .forService(Set.of("strata-campaign-service"))
                .map(caller -> {
                    String id = request.getSegmentId();
                    boolean known = id.equals("churn-warning")
                            || id.equals("vip")
                            || id.startsWith("aud-")
                            || id.startsWith("old-");
                    if (!known) {
                        throw Errors.notFound("no audience " + id);
                    }
                    return GetSegmentResponse.newBuilder()
                            .setSegment(Segment.newBuilder()
                                    .setId(id)
                                    .setState(
                                            id.startsWith("old-")
                                                    ? SegmentState.SEGMENT_STATE_ARCHIVED
                                                    : SegmentState.SEGMENT_STATE_ACTIVE))
                            .build();
                });
    }
}
