package io.strata.profile.mapping;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;

import io.strata.profile.domain.IdentifierNormalizer;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.IncomingEvent;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;

/** From the wire envelope to what the profile needs of it. */
public final class EventMapper {

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    private EventMapper() {
    }

    public static Event parse(byte[] payload) throws InvalidProtocolBufferException {
        return Event.parseFrom(payload);
    }

    /** @throws IllegalArgumentException when the envelope lacks what ingestion always sets */
    public static IncomingEvent toIncoming(Event event) {
        if (event.getTenant().isEmpty() || event.getMessageId().isEmpty()) {
            throw new IllegalArgumentException("event without tenant or messageId");
        }
        if (event.getType() == EventType.EVENT_TYPE_UNSPECIFIED || event.getType() == EventType.UNRECOGNIZED) {
            throw new IllegalArgumentException("event of unknown type " + event.getTypeValue());
        }
        return new IncomingEvent(
                event.getTenant(),
                event.getSourceId(),
                event.getMessageId(),
                countName(event),
                event.getType() == EventType.EVENT_TYPE_IDENTIFY && event.hasTraits() ? json(event.getTraits()) : null,
                instant(event.hasTimestamp() ? event.getTimestamp() : event.getReceivedAt()),
                identities(event));
    }

    static String countName(Event event) {
        if (event.getType() == EventType.EVENT_TYPE_TRACK) {
            return event.getEvent();
        }
        return event.getType().name().substring("EVENT_TYPE_".length()).toLowerCase(Locale.ROOT);
    }

    /** The event's identifiers, normalised, junk removed, most authoritative first. */
    static List<IdentityKey> identities(Event event) {
        List<IdentityKey> keys = new ArrayList<>();
        add(keys, IdentityType.USER_ID, event.getUserId());
        if (event.getType() == EventType.EVENT_TYPE_ALIAS) {
            add(keys, IdentityType.ANONYMOUS_ID, event.getPreviousId());
        }
        add(keys, IdentityType.ANONYMOUS_ID, event.getAnonymousId());
        if (event.getType() == EventType.EVENT_TYPE_IDENTIFY) {
            Struct traits = event.getTraits();
            add(keys, IdentityType.EMAIL, string(traits, "email"));
            add(keys, IdentityType.PHONE, string(traits, "phone"));
        }
        keys.sort(java.util.Comparator.comparing(IdentityKey::type));
        return keys.stream().distinct().toList();
    }

    private static void add(List<IdentityKey> keys, IdentityType type, String raw) {
        IdentifierNormalizer.normalize(type, raw).ifPresent(keys::add);
    }

    private static String string(Struct struct, String field) {
        Value value = struct.getFieldsOrDefault(field, Value.getDefaultInstance());
        return switch (value.getKindCase()) {
            case STRING_VALUE -> value.getStringValue();
            case NUMBER_VALUE -> Long.toString((long) value.getNumberValue());
            default -> null;
        };
    }

    private static String json(Struct struct) {
        try {
            return JSON.print(struct);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("traits cannot be printed as JSON", e);
        }
    }

    private static Instant instant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }
}
