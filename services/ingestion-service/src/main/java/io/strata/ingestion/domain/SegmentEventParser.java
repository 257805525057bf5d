package io.strata.ingestion.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;

import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;

/**
 * Validates one Segment-spec call and turns it into the event envelope. Pure: no I/O, so every
 * rule is unit-tested. Field names in errors are the spec's JSON names.
 */
public final class SegmentEventParser {

    static final int MAX_ID_LENGTH = 256;

    private SegmentEventParser() {
    }

    /**
     * @param body        the call's JSON object
     * @param batchSentAt the batch's {@code sentAt}, used when the call has none; may be null
     * @throws InvalidEventException naming the first field that breaks the spec
     */
    public static Event parse(EventType type, JsonNode body, Source source, Instant receivedAt, String batchSentAt) {
        if (body == null || !body.isObject()) {
            throw new InvalidEventException("", "an event must be a JSON object");
        }
        Event.Builder event = Event.newBuilder()
                .setTenant(source.tenant())
                .setSourceId(source.id().toString())
                .setType(type);

        String userId = id(body, "userId");
        String anonymousId = id(body, "anonymousId");
        if (userId == null && anonymousId == null) {
            throw new InvalidEventException("userId", "userId or anonymousId is required");
        }
        if (userId != null) {
            event.setUserId(userId);
        }
        if (anonymousId != null) {
            event.setAnonymousId(anonymousId);
        }
        String messageId = id(body, "messageId");
        event.setMessageId(messageId != null ? messageId : UUID.randomUUID().toString());

        switch (type) {
            case EVENT_TYPE_TRACK -> event.setEvent(required(body, "event"));
            case EVENT_TYPE_PAGE, EVENT_TYPE_SCREEN -> {
                String name = text(body, "name");
                if (name != null) {
                    event.setName(name);
                }
            }
            case EVENT_TYPE_GROUP -> event.setGroupId(required(body, "groupId"));
            case EVENT_TYPE_ALIAS -> {
                event.setPreviousId(required(body, "previousId"));
                if (userId == null) {
                    throw new InvalidEventException("userId", "alias requires userId");
                }
            }
            case EVENT_TYPE_IDENTIFY -> {
                // traits are optional: an identify may only link identifiers
            }
            default -> throw new InvalidEventException("type", "unsupported type " + type);
        }

        struct(body, "properties").ifPresent(event::setProperties);
        struct(body, "traits").ifPresent(event::setTraits);
        struct(body, "context").ifPresent(event::setContext);
        struct(body, "integrations").ifPresent(event::setIntegrations);

        Instant original = time(body, "timestamp");
        if (original == null) {
            original = time(body, "originalTimestamp");
        }
        Instant sentAt = time(body, "sentAt");
        if (sentAt == null && batchSentAt != null) {
            sentAt = instant("sentAt", batchSentAt);
        }
        event.setReceivedAt(ts(receivedAt));
        if (sentAt != null) {
            event.setSentAt(ts(sentAt));
        }
        if (original != null) {
            event.setOriginalTimestamp(ts(original));
        }
        event.setTimestamp(ts(correctedTimestamp(original, sentAt, receivedAt)));
        return event.build();
    }

    /**
     * When the event happened on the server's clock: the client's clock skew (sentAt versus the
     * time the server received the call) is removed from the client's timestamp.
     */
    public static Instant correctedTimestamp(Instant original, Instant sentAt, Instant receivedAt) {
        if (original == null) {
            return receivedAt;
        }
        if (sentAt == null) {
            return original;
        }
        return receivedAt.minus(Duration.between(original, sentAt));
    }

    private static String id(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() && !node.isIntegralNumber()) {
            throw new InvalidEventException(field, field + " must be a string");
        }
        String value = node.asText().strip();
        if (value.length() > MAX_ID_LENGTH) {
            throw new InvalidEventException(field, field + " is longer than " + MAX_ID_LENGTH + " characters");
        }
        return value.isEmpty() ? null : value;
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidEventException(field, field + " must be a string");
        }
        return node.asText();
    }

    private static String required(JsonNode body, String field) {
        String value = text(body, field);
        if (value == null || value.isBlank()) {
            throw new InvalidEventException(field, field + " is required");
        }
        return value;
    }

    private static java.util.Optional<Struct> struct(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return java.util.Optional.empty();
        }
        if (!node.isObject()) {
            throw new InvalidEventException(field, field + " must be a JSON object");
        }
        Struct.Builder struct = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(node.toString(), struct);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidEventException(field, field + " cannot be read: " + e.getMessage());
        }
        return java.util.Optional.of(struct.build());
    }

    private static Instant time(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidEventException(field, field + " must be an ISO-8601 date-time string");
        }
        return instant(field, node.asText());
    }

    private static Instant instant(String field, String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e2) {
                throw new InvalidEventException(field, field + " must be an ISO-8601 date-time, got '"
                        + abbreviate(text) + "'");
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    private static Timestamp ts(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /** The Kafka key: tenant and the identity events of one person share before resolution. */
    public static String key(Event event) {
        return event.getTenant() + "/" + (event.getUserId().isEmpty() ? event.getAnonymousId() : event.getUserId());
    }
}
