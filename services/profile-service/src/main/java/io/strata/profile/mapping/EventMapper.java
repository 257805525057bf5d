package io.strata.profile.mapping;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** From the wire envelope to what the profile needs of it. */
public final class EventMapper {

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    private EventMapper() {}

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

    /** The {@code type}s of {@code context.externalIds} entries Strata maps into the identity graph. */
    private static final java.util.Map<String, IdentityType> EXTERNAL_TYPES = java.util.Map.of(
            "wechat_union_id",
            IdentityType.WECHAT_UNION_ID,
            "wechatUnionId",
            IdentityType.WECHAT_UNION_ID,
            "wechat_open_id",
            IdentityType.WECHAT_OPEN_ID,
            "wechatOpenId",
            IdentityType.WECHAT_OPEN_ID,
            "member_id",
            IdentityType.MEMBER_ID,
            "memberId",
            IdentityType.MEMBER_ID,
            "device_id",
            IdentityType.DEVICE_ID,
            "deviceId",
            IdentityType.DEVICE_ID);

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
            add(keys, IdentityType.WECHAT_UNION_ID, string(traits, "wechatUnionId"));
            add(keys, IdentityType.MEMBER_ID, string(traits, "memberId"));
        }
        Struct context = event.getContext();
        Value device = context.getFieldsOrDefault("device", Value.getDefaultInstance());
        if (device.hasStructValue()) {
            add(keys, IdentityType.DEVICE_ID, string(device.getStructValue(), "id"));
        }
        // Segment's context.externalIds: [{"id": ..., "type": ...}]
        Value external = context.getFieldsOrDefault("externalIds", Value.getDefaultInstance());
        if (external.hasListValue()) {
            for (Value item : external.getListValue().getValuesList()) {
                if (item.hasStructValue()) {
                    IdentityType type = EXTERNAL_TYPES.get(string(item.getStructValue(), "type"));
                    if (type != null) {
                        add(keys, type, string(item.getStructValue(), "id"));
                    }
                }
            }
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
