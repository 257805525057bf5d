package io.strata.dedup.mapping;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.dedup.domain.InvalidRecordException;
import io.strata.platform.kafka.Keys;
import io.strata.proto.events.v1.Event;

/** From an incoming record to the key of the events topic. */
public final class EventKeyMapper {

    private EventKeyMapper() {}

    /**
     * The key on the events topic, {@code tenant/userId} (else {@code tenant/anonymousId}), which
     * keeps the events of one person in order on one partition.
     *
     * @param incomingKey the record's key on the incoming topic, {@code <source_id>/<message_id>}
     * @param value the serialized {@link Event}
     * @throws InvalidRecordException when the record has no key, is not an Event, or the event
     *         lacks its tenant or an identity
     */
    public static String productKey(String incomingKey, byte[] value) throws InvalidRecordException {
        if (incomingKey == null || incomingKey.isEmpty()) {
            throw new InvalidRecordException("record without key");
        }
        if (value == null) {
            throw new InvalidRecordException("record without value");
        }
        Event event;
        try {
            event = Event.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRecordException("not an Event: " + e.getMessage());
        }
        if (event.getTenant().isEmpty()) {
            throw new InvalidRecordException("event without tenant");
        }
        String identity = event.getUserId().isEmpty() ? event.getAnonymousId() : event.getUserId();
        if (identity.isEmpty()) {
            throw new InvalidRecordException("event without userId or anonymousId");
        }
        return Keys.event(event.getTenant(), identity);
    }
}
