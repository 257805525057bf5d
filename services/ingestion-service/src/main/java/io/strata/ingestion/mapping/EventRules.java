package io.strata.ingestion.mapping;

import com.google.protobuf.Timestamp;
import io.strata.ingestion.domain.InvalidEventException;
import io.strata.ingestion.domain.Source;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The tracking spec's rules for one event, whatever way it came in (HTTP JSON or gRPC), and the
 * stamping every accepted event gets: tenant and source from the write key, a messageId, and a
 * timestamp corrected for the client's clock. Field names in errors are the JSON spelling.
 */
public final class EventRules {

    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_TEXT_LENGTH = 1024;

    private EventRules() {}

    /** @throws InvalidEventException naming the first field that breaks the spec */
    public static void check(Event.Builder event) {
        checkId("userId", event.getUserId());
        checkId("anonymousId", event.getAnonymousId());
        checkId("messageId", event.getMessageId());
        checkId("groupId", event.getGroupId());
        checkId("previousId", event.getPreviousId());
        checkText("event", event.getEvent());
        checkText("name", event.getName());
        if (event.getUserId().isBlank() && event.getAnonymousId().isBlank()) {
            throw new InvalidEventException("userId", "userId or anonymousId is required");
        }
        switch (event.getType()) {
            case EVENT_TYPE_TRACK -> require("event", event.getEvent());
            case EVENT_TYPE_GROUP -> require("groupId", event.getGroupId());
            case EVENT_TYPE_ALIAS -> {
                require("previousId", event.getPreviousId());
                if (event.getUserId().isBlank()) {
                    throw new InvalidEventException("userId", "alias requires userId");
                }
            }
            case EVENT_TYPE_IDENTIFY, EVENT_TYPE_PAGE, EVENT_TYPE_SCREEN -> {
                // nothing else is required
            }
            default ->
                throw new InvalidEventException(
                        "type", "type must be one of identify, track, page, screen, group, alias");
        }
    }

    /**
     * Sets what the caller never decides: tenant, source, received time, a messageId when there
     * is none, and the corrected timestamp (from the event's own timestamp, else its
     * original_timestamp, else the received time).
     *
     * @return whether the caller gave the messageId
     */
    public static boolean stamp(Event.Builder event, Source source, Instant receivedAt, Instant sentAt) {
        event.setTenant(source.tenant()).setSourceId(source.id().toString()).setReceivedAt(timestamp(receivedAt));
        boolean clientMessageId = !event.getMessageId().isBlank();
        if (!clientMessageId) {
            event.setMessageId(UUID.randomUUID().toString());
        }
        Instant original = event.hasTimestamp()
                ? instant(event.getTimestamp())
                : event.hasOriginalTimestamp() ? instant(event.getOriginalTimestamp()) : null;
        if (sentAt != null) {
            event.setSentAt(timestamp(sentAt));
        }
        if (original != null) {
            event.setOriginalTimestamp(timestamp(original));
        }
        event.setTimestamp(timestamp(correctedTimestamp(original, sentAt, receivedAt)));
        return clientMessageId;
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

    /** Refuses an event larger than the per-event limit, as stored (every entry point's rule). */
    public static void checkSize(Event event, int maxBytes) {
        if (event.getSerializedSize() > maxBytes) {
            throw new InvalidEventException("", "the event is larger than " + maxBytes / 1024 + " KB");
        }
    }

    /** The key on the incoming topic: what dedup-service's window is kept by. */
    public static String incomingKey(Event event) {
        return event.getSourceId() + "/" + event.getMessageId();
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }

    public static Instant instant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }

    private static void checkId(String field, String value) {
        if (value.length() > MAX_ID_LENGTH) {
            throw new InvalidEventException(field, field + " is longer than " + MAX_ID_LENGTH + " characters");
        }
        checkText(field, value);
    }

    private static void checkText(String field, String value) {
        if (value.length() > MAX_TEXT_LENGTH) {
            throw new InvalidEventException(field, field + " is longer than " + MAX_TEXT_LENGTH + " characters");
        }
        if (value.indexOf('\u0000') >= 0) {
            throw new InvalidEventException(field, field + " contains a NUL character");
        }
    }

    private static void require(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidEventException(field, field + " is required");
        }
    }

    /** The JSON name of a call type ("track"...), for messages. */
    public static EventType typeOf(String name) {
        return switch (name) {
            case "identify" -> EventType.EVENT_TYPE_IDENTIFY;
            case "track" -> EventType.EVENT_TYPE_TRACK;
            case "page" -> EventType.EVENT_TYPE_PAGE;
            case "screen" -> EventType.EVENT_TYPE_SCREEN;
            case "group" -> EventType.EVENT_TYPE_GROUP;
            case "alias" -> EventType.EVENT_TYPE_ALIAS;
            default ->
                throw new InvalidEventException(
                        "type", "type must be one of identify, track, page, screen, group, alias");
        };
    }
}
