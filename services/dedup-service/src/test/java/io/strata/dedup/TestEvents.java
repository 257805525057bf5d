package io.strata.dedup;

import com.google.protobuf.Timestamp;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;

/** Events as ingestion publishes them on the incoming topic. */
public final class TestEvents {

    private TestEvents() {}

    public static Event track(String tenant, String sourceId, String messageId, String userId, String anonymousId) {
        return Event.newBuilder()
                .setTenant(tenant)
                .setSourceId(sourceId)
                .setType(EventType.EVENT_TYPE_TRACK)
                .setMessageId(messageId)
                .setUserId(userId)
                .setAnonymousId(anonymousId)
                .setEvent("Product Viewed")
                .setReceivedAt(Timestamp.newBuilder().setSeconds(1_772_352_000L))
                .build();
    }

    /** The key of the incoming topic. */
    public static String incomingKey(Event event) {
        return event.getSourceId() + "/" + event.getMessageId();
    }
}
