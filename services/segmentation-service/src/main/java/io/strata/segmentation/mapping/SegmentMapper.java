package io.strata.segmentation.mapping;

import com.google.protobuf.Timestamp;
import io.strata.proto.segmentation.v1.Freshness;
import io.strata.proto.segmentation.v1.SegmentKind;
import io.strata.proto.segmentation.v1.SegmentState;
import io.strata.proto.segmentation.v1.SegmentVersion;
import io.strata.segmentation.domain.Segment;
import java.time.Instant;

/** Audiences to and from their gRPC form. */
public final class SegmentMapper {

    private SegmentMapper() {}

    public static io.strata.proto.segmentation.v1.Segment toProto(Segment s, long size, long lag, boolean complete) {
        Freshness.Builder freshness =
                Freshness.newBuilder().setFeedLagRecords(Math.max(0, lag)).setComplete(complete);
        if (s.lastChangeAt() != null) {
            freshness.setLastChangeAt(timestamp(s.lastChangeAt()));
        }
        if (s.lastFullEvaluationAt() != null) {
            freshness.setLastFullEvaluationAt(timestamp(s.lastFullEvaluationAt()));
        }
        return io.strata.proto.segmentation.v1.Segment.newBuilder()
                .setId(s.id())
                .setName(s.name())
                .setDescription(s.description())
                .setKind(
                        s.kind() == Segment.Kind.RULE ? SegmentKind.SEGMENT_KIND_RULE : SegmentKind.SEGMENT_KIND_STATIC)
                .setState(toProto(s.state()))
                .setVersion(s.version())
                .setDefinition(s.definition() == null ? "" : s.definition())
                .setCreatedAt(timestamp(s.createdAt()))
                .setUpdatedAt(timestamp(s.updatedAt()))
                .setUpdatedBy(s.updatedBy())
                .setSize(s.state() == Segment.State.ACTIVE ? size : 0)
                .setFreshness(freshness)
                .build();
    }

    public static SegmentVersion toProto(Segment.Version v) {
        return SegmentVersion.newBuilder()
                .setVersion(v.version())
                .setDefinition(v.definition() == null ? "" : v.definition())
                .setCreatedAt(timestamp(v.createdAt()))
                .setCreatedBy(v.createdBy())
                .build();
    }

    public static SegmentState toProto(Segment.State state) {
        return switch (state) {
            case DRAFT -> SegmentState.SEGMENT_STATE_DRAFT;
            case ACTIVE -> SegmentState.SEGMENT_STATE_ACTIVE;
            case ARCHIVED -> SegmentState.SEGMENT_STATE_ARCHIVED;
        };
    }

    /** The state asked for; null for UNSPECIFIED or an unknown value. */
    public static Segment.State fromProto(SegmentState state) {
        return switch (state) {
            case SEGMENT_STATE_DRAFT -> Segment.State.DRAFT;
            case SEGMENT_STATE_ACTIVE -> Segment.State.ACTIVE;
            case SEGMENT_STATE_ARCHIVED -> Segment.State.ARCHIVED;
            default -> null;
        };
    }

    public static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }
}
