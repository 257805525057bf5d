package io.strata.insight.feed;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileDeleted;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.segmentation.v1.SegmentMembership;
import java.time.Instant;

/** The feed's records as the tests send them (source {@code src}, times to the second). */
public final class FeedRecords {

    private FeedRecords() {}

    /** A track event applied to {@code profile} at {@code at}. */
    public static ProfileEvent track(
            String tenant, String profile, String messageId, String name, Struct properties, Instant at) {
        Timestamp ts = Timestamp.newBuilder().setSeconds(at.getEpochSecond()).build();
        return ProfileEvent.newBuilder()
                .setTenant(tenant)
                .setProfileId(profile)
                .setEvent(Event.newBuilder()
                        .setTenant(tenant)
                        .setSourceId("src")
                        .setMessageId(messageId)
                        .setType(EventType.EVENT_TYPE_TRACK)
                        .setEvent(name)
                        .setProperties(properties)
                        .setTimestamp(ts))
                .setAppliedAt(ts)
                .build();
    }

    /** An audience's enter or exit of {@code profile}, now. */
    public static SegmentMembership membership(String tenant, String profile, String segment, boolean entered) {
        return SegmentMembership.newBuilder()
                .setTenant(tenant)
                .setProfileId(profile)
                .setSegmentId(segment)
                .setEntered(entered)
                .setChangedAt(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond()))
                .build();
    }

    /** The deletion of {@code profile}. */
    public static ProfileChange deleted(String tenant, String profile) {
        return ProfileChange.newBuilder()
                .setTenant(tenant)
                .setProfileId(profile)
                .setChangeId(profile + "/9")
                .setVersion(9)
                .setDeleted(ProfileDeleted.newBuilder().setRequestId("r1"))
                .build();
    }
}
