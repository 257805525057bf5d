package io.strata.demo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.util.BufferRecycler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * Segment calls as the ingestion API takes them: {@code userId}/{@code anonymousId} at the top,
 * traits on identify, the device in {@code context.device}, WeChat and member ids in
 * {@code context.externalIds}, the original {@code timestamp} with its +08:00 offset. Fields
 * always in the same order, so the same history gives the same bytes.
 */
final class EventWriter {

    static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(TimeFrame.ZONE);
    static final String LIBRARY = "strata-demo-generator";

    private final JsonFactory factory = new JsonFactory();
    private final BufferRecycler recycler = new BufferRecycler();

    String write(SegmentEvent event, String messageId) {
        SegmentedStringWriter out = new SegmentedStringWriter(recycler);
        try {
            JsonGenerator json = factory.createGenerator(out);
            json.writeStartObject();
            json.writeStringField("type", event.type);
            json.writeStringField("messageId", event.messageId != null ? event.messageId : messageId);
            if (event.userId != null) {
                json.writeStringField("userId", event.userId);
            }
            if (event.device != null) {
                json.writeStringField("anonymousId", event.device.anonymousId());
            }
            if (event.type.equals("track")) {
                json.writeStringField("event", event.name);
            } else if (event.type.equals("page")) {
                json.writeStringField("name", event.name);
            }
            if (event.properties != null) {
                json.writeObjectFieldStart("properties");
                event.properties.write(json);
                json.writeEndObject();
            }
            if (event.traits != null) {
                json.writeObjectFieldStart("traits");
                event.traits.write(json);
                json.writeEndObject();
            }
            json.writeObjectFieldStart("context");
            json.writeObjectFieldStart("library");
            json.writeStringField("name", LIBRARY);
            json.writeStringField("version", "1");
            json.writeEndObject();
            if (event.device != null) {
                json.writeObjectFieldStart("device");
                json.writeStringField("id", event.device.id());
                json.writeStringField("type", event.device.type());
                json.writeEndObject();
            }
            if (event.externalIds != null && !event.externalIds.isEmpty()) {
                json.writeArrayFieldStart("externalIds");
                for (SegmentEvent.ExternalId id : event.externalIds) {
                    json.writeStartObject();
                    json.writeStringField("id", id.id());
                    json.writeStringField("type", id.type());
                    json.writeStringField("collection", "users");
                    json.writeStringField("encoding", "none");
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            json.writeEndObject();
            json.writeStringField("timestamp", timestamp(event.time));
            json.writeEndObject();
            json.close();
            return out.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String timestamp(long epochMillis) {
        return TIMESTAMP.format(Instant.ofEpochMilli(epochMillis));
    }
}
