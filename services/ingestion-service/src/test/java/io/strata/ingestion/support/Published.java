package io.strata.ingestion.support;

import io.strata.proto.events.v1.Event;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What a record on the incoming topic carries, for tests that look for their own events. */
public final class Published {

    private Published() {}

    /**
     * Whether the record's event names the marker in its userId, anonymousId or messageId (its key,
     * {@code sourceId/messageId}, names only the last).
     */
    public static boolean mentions(ConsumerRecord<String, byte[]> record, String marker) {
        try {
            Event event = Event.parseFrom(record.value());
            return event.getUserId().contains(marker)
                    || event.getAnonymousId().contains(marker)
                    || event.getMessageId().contains(marker);
        } catch (Exception e) {
            return false;
        }
    }
}
