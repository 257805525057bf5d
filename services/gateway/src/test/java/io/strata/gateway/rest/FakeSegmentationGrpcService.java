package io.strata.gateway.rest;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.CheckMembershipRequest;
import io.strata.proto.segmentation.v1.CheckMembershipResponse;
import io.strata.proto.segmentation.v1.CheckMembershipsRequest;
import io.strata.proto.segmentation.v1.CheckMembershipsResponse;
import io.strata.proto.segmentation.v1.CreateSegmentRequest;
import io.strata.proto.segmentation.v1.CreateSegmentResponse;
import io.strata.proto.segmentation.v1.DailySize;
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
import io.strata.proto.segmentation.v1.PreviewSegmentRequest;
import io.strata.proto.segmentation.v1.PreviewSegmentResponse;
import io.strata.proto.segmentation.v1.Segment;
import io.strata.proto.segmentation.v1.SegmentKind;
import io.strata.proto.segmentation.v1.SegmentState;
import io.strata.proto.segmentation.v1.SegmentationService;
import io.strata.proto.segmentation.v1.SetSegmentStateRequest;
import io.strata.proto.segmentation.v1.SetSegmentStateResponse;
import io.strata.proto.segmentation.v1.SetStaticMembersRequest;
import io.strata.proto.segmentation.v1.SetStaticMembersResponse;
import io.strata.proto.segmentation.v1.UpdateSegmentRequest;
import io.strata.proto.segmentation.v1.UpdateSegmentResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for segmentation-service: tenant "demo" has one active audience, vip (members u1, u2,
 * u3, exported in chunks of two); a definition containing "nope" is refused naming
 * {@code definition.field}. Keeps the requests it was sent, for the tests to read.
 */
@GrpcService
public class FakeSegmentationGrpcService implements SegmentationService {

    static final List<com.google.protobuf.Message> requests = new CopyOnWriteArrayList<>();

    private final Access access;
    private final CurrentIdentityAssociation identity;

    public FakeSegmentationGrpcService(Access access, CurrentIdentityAssociation identity) {
        this.access = access;
        this.identity = identity;
    }

    private <T> Uni<T> checked(String tenant, String role, java.util.function.Supplier<T> call) {
        return access.forUser(identity.getDeferredIdentity(), tenant, role).map(caller -> call.get());
    }

    static Segment vip() {
        return Segment.newBuilder()
                .setId("vip")
                .setName("VIP")
                .setKind(SegmentKind.SEGMENT_KIND_RULE)
                .setState(SegmentState.SEGMENT_STATE_ACTIVE)
                .setVersion(3)
                .setDefinition("{\"field\":\"tags.vip\",\"op\":\"eq\",\"value\":\"true\"}")
                .setSize(3)
                .build();
    }

    @Override
    public Uni<ListSegmentsResponse> listSegments(ListSegmentsRequest request) {
        return checked(
                request.getTenant(),
                Roles.VIEWER,
                () -> ListSegmentsResponse.newBuilder().addSegments(vip()).build());
    }

    @Override
    public Uni<GetSegmentResponse> getSegment(GetSegmentRequest request) {
        return checked(request.getTenant(), Roles.VIEWER, () -> {
            if (!request.getSegmentId().equals("vip")) {
                throw Errors.notFound("segment " + request.getSegmentId() + " not found");
            }
            return GetSegmentResponse.newBuilder().setSegment(vip()).build();
        });
    }

    @Override
    public Uni<CreateSegmentResponse> createSegment(CreateSegmentRequest request) {
        return checked(request.getTenant(), Roles.MARKETER, () -> {
            requests.add(request);
            if (request.getDefinition().contains("nope")) {
                throw Errors.invalid("definition.field", "unknown field traits.nope");
            }
            return CreateSegmentResponse.newBuilder()
                    .setSegment(Segment.newBuilder()
                            .setId(request.getSegmentId())
                            .setName(request.getName())
                            .setKind(request.getKind())
                            .setState(request.getState())
                            .setVersion(1)
                            .setDefinition(request.getDefinition()))
                    .build();
        });
    }

    @Override
    public Uni<UpdateSegmentResponse> updateSegment(UpdateSegmentRequest request) {
        return checked(request.getTenant(), Roles.MARKETER, () -> {
            requests.add(request);
            return UpdateSegmentResponse.newBuilder()
                    .setSegment(vip().toBuilder().setVersion(4).setDefinition(request.getDefinition()))
                    .build();
        });
    }

    @Override
    public Uni<SetSegmentStateResponse> setSegmentState(SetSegmentStateRequest request) {
        return checked(
                request.getTenant(),
                Roles.MARKETER,
                () -> SetSegmentStateResponse.newBuilder()
                        .setSegment(vip().toBuilder().setState(request.getState()))
                        .build());
    }

    @Override
    public Uni<PreviewSegmentResponse> previewSegment(PreviewSegmentRequest request) {
        return checked(request.getTenant(), Roles.VIEWER, () -> {
            requests.add(request);
            return PreviewSegmentResponse.newBuilder()
                    .setSize(42)
                    .setProfiles(100)
                    .build();
        });
    }

    @Override
    public Multi<ExportMembersResponse> exportMembers(ExportMembersRequest request) {
        return checked(
                        request.getTenant(),
                        Roles.VIEWER,
                        () -> List.of(
                                ExportMembersResponse.newBuilder()
                                        .addProfileIds("u1")
                                        .addProfileIds("u2")
                                        .build(),
                                ExportMembersResponse.newBuilder()
                                        .addProfileIds("u3")
                                        .build()))
                .onItem()
                .transformToMulti(chunks -> Multi.createFrom().iterable(chunks));
    }

    @Override
    public Uni<SetStaticMembersResponse> setStaticMembers(SetStaticMembersRequest request) {
        return checked(request.getTenant(), Roles.MARKETER, () -> {
            requests.add(request);
            return SetStaticMembersResponse.newBuilder()
                    .setSize(request.getProfileIdsCount())
                    .build();
        });
    }

    private static <T> Uni<T> unimplemented() {
        return Uni.createFrom().failure(Status.UNIMPLEMENTED.asRuntimeException());
    }

    @Override
    public Uni<GetSizeHistoryResponse> getSizeHistory(GetSizeHistoryRequest request) {
        return checked(request.getTenant(), Roles.VIEWER, () -> {
            requests.add(request);
            if (request.getDays() < 0 || request.getDays() > 366) {
                throw Errors.invalid("days", "days is 1 to 366 (0: 30)");
            }
            return GetSizeHistoryResponse.newBuilder()
                    .addDays(DailySize.newBuilder().setDay("2026-12-02").setSize(40))
                    .addDays(DailySize.newBuilder().setDay("2026-12-03").setSize(42))
                    .build();
        });
    }

    @Override
    public Uni<ListSegmentVersionsResponse> listSegmentVersions(ListSegmentVersionsRequest request) {
        return unimplemented();
    }

    @Override
    public Uni<GetOverlapResponse> getOverlap(GetOverlapRequest request) {
        return unimplemented();
    }

    @Override
    public Uni<CheckMembershipResponse> checkMembership(CheckMembershipRequest request) {
        return unimplemented();
    }

    @Override
    public Uni<CheckMembershipsResponse> checkMemberships(CheckMembershipsRequest request) {
        return unimplemented();
    }

    @Override
    public Uni<ListProfileSegmentsResponse> listProfileSegments(ListProfileSegmentsRequest request) {
        requests.add(request);
        return checked(
                request.getTenant(),
                Roles.VIEWER,
                () -> ListProfileSegmentsResponse.newBuilder()
                        .addSegmentIds("vip")
                        .build());
    }

    @Override
    public Uni<ExplainMembershipResponse> explainMembership(ExplainMembershipRequest request) {
        return unimplemented();
    }
}
