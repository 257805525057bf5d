package io.strata.gateway.client;

import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.config.GatewayConfig;
import io.strata.gateway.security.SignedIn;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.proto.segmentation.v1.CheckMembershipRequest;
import io.strata.proto.segmentation.v1.CheckMembershipResponse;
import io.strata.proto.segmentation.v1.CreateSegmentRequest;
import io.strata.proto.segmentation.v1.CreateSegmentResponse;
import io.strata.proto.segmentation.v1.ExplainMembershipRequest;
import io.strata.proto.segmentation.v1.ExplainMembershipResponse;
import io.strata.proto.segmentation.v1.ExportMembersRequest;
import io.strata.proto.segmentation.v1.ExportMembersResponse;
import io.strata.proto.segmentation.v1.GetOverlapRequest;
import io.strata.proto.segmentation.v1.GetOverlapResponse;
import io.strata.proto.segmentation.v1.GetSegmentRequest;
import io.strata.proto.segmentation.v1.GetSegmentResponse;
import io.strata.proto.segmentation.v1.GetSizeHistoryRequest;
import io.strata.proto.segmentation.v1.GetSizeHistoryResponse;
import io.strata.proto.segmentation.v1.ListProfileSegmentsRequest;
import io.strata.proto.segmentation.v1.ListProfileSegmentsResponse;
import io.strata.proto.segmentation.v1.ListSegmentVersionsRequest;
import io.strata.proto.segmentation.v1.ListSegmentVersionsResponse;
import io.strata.proto.segmentation.v1.ListSegmentsRequest;
import io.strata.proto.segmentation.v1.ListSegmentsResponse;
import io.strata.proto.segmentation.v1.MutinySegmentationServiceGrpc.MutinySegmentationServiceStub;
import io.strata.proto.segmentation.v1.PreviewSegmentRequest;
import io.strata.proto.segmentation.v1.PreviewSegmentResponse;
import io.strata.proto.segmentation.v1.Segment;
import io.strata.proto.segmentation.v1.SegmentState;
import io.strata.proto.segmentation.v1.SetSegmentStateRequest;
import io.strata.proto.segmentation.v1.SetSegmentStateResponse;
import io.strata.proto.segmentation.v1.SetStaticMembersRequest;
import io.strata.proto.segmentation.v1.SetStaticMembersResponse;
import io.strata.proto.segmentation.v1.UpdateSegmentRequest;
import io.strata.proto.segmentation.v1.UpdateSegmentResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** segmentation-service's SegmentationService over gRPC, for a signed-in user of the tenant, with a deadline. */
@ApplicationScoped
public class SegmentClient {

    private final MutinySegmentationServiceStub segments;
    private final long deadlineMillis;

    public SegmentClient(@GrpcClient("segmentation") MutinySegmentationServiceStub segments, GatewayConfig config) {
        this.segments = segments;
        this.deadlineMillis = config.calls().deadline().toMillis();
    }

    private MutinySegmentationServiceStub forUser(SignedIn user) {
        return segments.withOption(ServiceCallInterceptor.FOR_USER, user.token())
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    public Uni<List<Segment>> list(SignedIn user, SegmentState state) {
        return forUser(user)
                .listSegments(ListSegmentsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setState(state)
                        .build())
                .map(ListSegmentsResponse::getSegmentsList);
    }

    public Uni<Segment> get(SignedIn user, String id) {
        return forUser(user)
                .getSegment(GetSegmentRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setSegmentId(id)
                        .build())
                .map(GetSegmentResponse::getSegment);
    }

    public Uni<Segment> create(SignedIn user, CreateSegmentRequest.Builder request) {
        return forUser(user)
                .createSegment(request.setTenant(user.tenant()).build())
                .map(CreateSegmentResponse::getSegment);
    }

    public Uni<Segment> update(SignedIn user, UpdateSegmentRequest.Builder request) {
        return forUser(user)
                .updateSegment(request.setTenant(user.tenant()).build())
                .map(UpdateSegmentResponse::getSegment);
    }

    public Uni<Segment> setState(SignedIn user, String id, SegmentState state) {
        return forUser(user)
                .setSegmentState(SetSegmentStateRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setSegmentId(id)
                        .setState(state)
                        .build())
                .map(SetSegmentStateResponse::getSegment);
    }

    public Uni<ListSegmentVersionsResponse> versions(SignedIn user, String id) {
        return forUser(user)
                .listSegmentVersions(ListSegmentVersionsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setSegmentId(id)
                        .build());
    }

    public Uni<GetSizeHistoryResponse> sizes(SignedIn user, String id, int days) {
        return forUser(user)
                .getSizeHistory(GetSizeHistoryRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setSegmentId(id)
                        .setDays(days)
                        .build());
    }

    public Uni<PreviewSegmentResponse> preview(SignedIn user, String definition) {
        return forUser(user)
                .previewSegment(PreviewSegmentRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setDefinition(definition)
                        .build());
    }

    public Uni<GetOverlapResponse> overlap(SignedIn user, List<String> ids) {
        return forUser(user)
                .getOverlap(GetOverlapRequest.newBuilder()
                        .setTenant(user.tenant())
                        .addAllSegmentIds(ids)
                        .build());
    }

    public Uni<ListProfileSegmentsResponse> segmentsOf(SignedIn user, String profileId) {
        return forUser(user)
                .listProfileSegments(ListProfileSegmentsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setProfileId(profileId)
                        .build());
    }

    public Uni<CheckMembershipResponse> check(SignedIn user, String id, String profileId) {
        return forUser(user)
                .checkMembership(CheckMembershipRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setSegmentId(id)
                        .setProfileId(profileId)
                        .build());
    }

    public Uni<ExplainMembershipResponse> explain(SignedIn user, String id, String profileId) {
        return forUser(user)
                .explainMembership(ExplainMembershipRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setSegmentId(id)
                        .setProfileId(profileId)
                        .build());
    }

    /** The members in chunks; the export's deadline is the stream's, not one call's. */
    public Multi<ExportMembersResponse> export(SignedIn user, String id) {
        return segments.withOption(ServiceCallInterceptor.FOR_USER, user.token())
                .withDeadlineAfter(deadlineMillis * 20, TimeUnit.MILLISECONDS)
                .exportMembers(ExportMembersRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setSegmentId(id)
                        .build());
    }

    public Uni<SetStaticMembersResponse> setMembers(SignedIn user, SetStaticMembersRequest.Builder request) {
        return forUser(user).setStaticMembers(request.setTenant(user.tenant()).build());
    }
}
