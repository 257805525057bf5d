package io.strata.ingestion.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import io.strata.ingestion.domain.InvalidEventException;
import io.strata.ingestion.domain.Source;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one Segment-spec call (JSON) into the event envelope, checking JSON types here and the
 * spec's rules in {@link EventRules}. Pure: no I/O, so every rule is unit-tested.
 */
public final class SegmentEventMapper {

    private SegmentEventMapper() {}

    /**
     * What a batch gives all its events: {@code sentAt}, and {@code context} / {@code integrations}
     * that an event's own keys override. They are read once per batch (not once per event), and
     * each is held to {@code maxBytes} as sent, since it is copied into every event.
     */
    public record BatchDefaults(Instant sentAt, Struct context, Struct integrations) {

        public static final BatchDefaults NONE = new BatchDefaults(null, null, null);

        /**
         * @param sizes the size in the body of each top-level field, as sent
         * @throws InvalidEventException for a batch field of the wrong type or too large
         */
        public static BatchDefaults of(JsonNode batch, Map<String, Long> sizes, int maxBytes) {
            return new BatchDefaults(
                    time(batch, "sentAt"),
                    defaults(batch, "context", sizes, maxBytes),
                    defaults(batch, "integrations", sizes, maxBytes));
        }

        private static Struct defaults(JsonNode batch, String field, Map<String, Long> sizes, int maxBytes) {
            JsonNode node = object(batch, field);
            if (node == null) {
                return null;
            }
            if (sizes.getOrDefault(field, 0L) > maxBytes) {
                throw new InvalidEventException(
                        field,
                        "the batch's " + field + " is copied into every event: at most " + maxBytes / 1024 + " KB");
            }
            return JsonStructs.toStruct(field, node);
        }
    }

    /** A parsed event, and whether the caller gave its messageId. */
    public record Parsed(Event event, boolean clientMessageId) {}

    /** The type a batch item names in its {@code type} field. */
    public static EventType type(JsonNode item) {
        JsonNode type = item.get("type");
        if (type == null || !type.isTextual()) {
            throw new InvalidEventException("type", "type is required (identify, track, page, screen, group, alias)");
        }
        return EventRules.typeOf(type.asText());
    }

    /** @throws InvalidEventException naming the first field that breaks the spec */
    public static Parsed parse(
            EventType type, JsonNode body, Source source, Instant receivedAt, BatchDefaults defaults) {
        if (body == null || !body.isObject()) {
            throw new InvalidEventException("", "an event must be a JSON object");
        }
        Event.Builder event = Event.newBuilder().setType(type);
        id(body, "userId").ifPresent(event::setUserId);
        id(body, "anonymousId").ifPresent(event::setAnonymousId);
        id(body, "messageId").ifPresent(event::setMessageId);
        text(body, "event").ifPresent(event::setEvent);
        text(body, "name").ifPresent(event::setName);
        id(body, "groupId").ifPresent(event::setGroupId);
        id(body, "previousId").ifPresent(event::setPreviousId);
        EventRules.check(event);

        struct("properties", object(body, "properties")).ifPresent(event::setProperties);
        struct("traits", object(body, "traits")).ifPresent(event::setTraits);
        merged(defaults.context(), struct("context", object(body, "context"))).ifPresent(event::setContext);
        merged(defaults.integrations(), struct("integrations", object(body, "integrations")))
                .ifPresent(event::setIntegrations);

        Instant original = time(body, "timestamp");
        if (original == null) {
            original = time(body, "originalTimestamp");
        }
        if (original != null) {
            event.setTimestamp(EventRules.timestamp(original));
        }
        Instant sentAt = time(body, "sentAt");
        boolean clientMessageId =
                EventRules.stamp(event, source, receivedAt, sentAt != null ? sentAt : defaults.sentAt());
        return new Parsed(event.build(), clientMessageId);
    }

    /** The event's messageId as sent, for error reports; null when absent or unreadable. */
    public static String messageIdOf(JsonNode item) {
        JsonNode id = item == null ? null : item.get("messageId");
        return id != null && id.isTextual() && id.asText().length() <= EventRules.MAX_ID_LENGTH ? id.asText() : null;
    }

    private static Optional<String> id(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() && !node.isIntegralNumber()) {
            throw new InvalidEventException(field, field + " must be a string");
        }
        String value = node.asText().strip();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new InvalidEventException(field, field + " must be a string");
        }
        return Optional.of(node.asText());
    }

    private static JsonNode object(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidEventException(field, field + " must be a JSON object");
        }
        return node;
    }

    /** The batch's object with the event's keys laid over it (their values shared, not copied). */
    private static Optional<Struct> merged(Struct batch, Optional<Struct> event) {
        if (batch == null) {
            return event;
        }
        if (event.isEmpty()) {
            return Optional.of(batch);
        }
        return Optional.of(
                batch.toBuilder().putAllFields(event.get().getFieldsMap()).build());
    }

    private static Optional<Struct> struct(String field, JsonNode node) {
        return node == null ? Optional.empty() : Optional.of(JsonStructs.toStruct(field, node));
    }

    private static Instant time(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidEventException(field, field + " must be an ISO-8601 date-time string");
        }
        String text = node.asText();
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e2) {
                throw new InvalidEventException(
                        field,
                        field + " must be an ISO-8601 date-time, got '"
                                + (text.length() <= 40 ? text : text.substring(0, 40) + "…") + "'");
            }
        }
    }
}
