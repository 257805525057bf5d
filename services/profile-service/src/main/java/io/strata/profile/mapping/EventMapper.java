package io.strata.profile.mapping;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.strata.profile.domain.Facet;
import io.strata.profile.domain.IdentifierNormalizer;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.IncomingEvent;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import java.math.BigDecimal;
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
        return toIncoming(event, null);
    }

    /**
     * @param raw the event's serialized bytes, as they came from Kafka (the feed copies them), or null
     * @throws IllegalArgumentException when the envelope lacks what ingestion always sets
     */
    public static IncomingEvent toIncoming(Event event, byte[] raw) {
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
                identities(event),
                isOrder(event) ? revenue(event.getProperties()) : null,
                facets(event),
                event,
                raw);
    }

    /** The Segment e-commerce spec's order event. */
    static final String ORDER_COMPLETED = "Order Completed";
    /** Strata's marketing event for content views (channel, topic, creator). */
    static final String CONTENT_VIEWED = "Content Viewed";

    private static boolean isOrder(Event event) {
        return event.getType() == EventType.EVENT_TYPE_TRACK && ORDER_COMPLETED.equals(event.getEvent());
    }

    /** {@code revenue}, else {@code total}, else the sum of the products' price times quantity (1 if absent). */
    static BigDecimal revenue(Struct properties) {
        for (String field : List.of("revenue", "total")) {
            Value value = properties.getFieldsOrDefault(field, Value.getDefaultInstance());
            BigDecimal amount = decimal(value);
            if (amount != null) {
                return amount;
            }
        }
        BigDecimal sum = BigDecimal.ZERO;
        for (Struct product : products(properties)) {
            BigDecimal price = decimal(product.getFieldsOrDefault("price", Value.getDefaultInstance()));
            BigDecimal quantity = decimal(product.getFieldsOrDefault("quantity", Value.getDefaultInstance()));
            if (price != null) {
                sum = sum.add(price.multiply(quantity == null ? BigDecimal.ONE : quantity));
            }
        }
        return sum;
    }

    /** What the event shows about its consumer, each (dimension, value) once. */
    static List<Facet> facets(Event event) {
        java.util.LinkedHashSet<Facet> facets = new java.util.LinkedHashSet<>();
        Struct properties = event.getProperties();
        if (isOrder(event)) {
            for (Struct product : products(properties)) {
                addFacet(facets, Facet.CATEGORY, string(product, "category"));
                addFacet(facets, Facet.PRODUCT, firstString(product, "product_id", "productId", "sku"));
            }
        }
        if (event.getType() == EventType.EVENT_TYPE_TRACK && CONTENT_VIEWED.equals(event.getEvent())) {
            addFacet(facets, Facet.CONTENT_CHANNEL, string(properties, "channel"));
            addFacet(facets, Facet.CONTENT_TOPIC, string(properties, "topic"));
            addFacet(facets, Facet.CONTENT_CREATOR, string(properties, "creator"));
        } else {
            addFacet(facets, Facet.CHANNEL, string(properties, "channel"));
        }
        Struct context = event.getContext();
        Value device = context.getFieldsOrDefault("device", Value.getDefaultInstance());
        String platform = null;
        if (device.hasStructValue()) {
            platform = string(device.getStructValue(), "type");
            addFacet(facets, Facet.DEVICE, string(device.getStructValue(), "id"));
        }
        Value os = context.getFieldsOrDefault("os", Value.getDefaultInstance());
        if (platform == null && os.hasStructValue()) {
            platform = string(os.getStructValue(), "name");
        }
        addFacet(facets, Facet.PLATFORM, platform == null ? null : platform.toLowerCase(Locale.ROOT));
        return List.copyOf(facets);
    }

    private static final int MAX_FACET_VALUE = 200;

    private static void addFacet(java.util.Set<Facet> facets, String dimension, String value) {
        if (value != null && !value.isBlank() && value.length() <= MAX_FACET_VALUE) {
            facets.add(new Facet(dimension, value.strip()));
        }
    }

    private static List<Struct> products(Struct properties) {
        Value products = properties.getFieldsOrDefault("products", Value.getDefaultInstance());
        if (!products.hasListValue()) {
            return List.of();
        }
        return products.getListValue().getValuesList().stream()
                .filter(Value::hasStructValue)
                .map(Value::getStructValue)
                .toList();
    }

    private static String firstString(Struct struct, String... fields) {
        for (String field : fields) {
            String value = string(struct, field);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static BigDecimal decimal(Value value) {
        return switch (value.getKindCase()) {
            case NUMBER_VALUE ->
                Double.isFinite(value.getNumberValue()) ? BigDecimal.valueOf(value.getNumberValue()) : null;
            case STRING_VALUE -> {
                try {
                    yield new BigDecimal(value.getStringValue().strip());
                } catch (NumberFormatException e) {
                    yield null;
                }
            }
            default -> null;
        };
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
