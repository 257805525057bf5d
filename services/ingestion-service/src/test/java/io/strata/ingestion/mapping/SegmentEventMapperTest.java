package io.strata.ingestion.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.ingestion.domain.InvalidEventException;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.mapping.SegmentEventMapper.BatchDefaults;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SegmentEventMapperTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Source SOURCE =
            new Source(UUID.fromString("00000000-0000-0000-0000-00000000000a"), "acme", "web", null);
    private static final Instant RECEIVED = Instant.parse("2026-03-01T12:00:10Z");

    private static Event parse(EventType type, String json) throws Exception {
        return SegmentEventMapper.parse(type, JSON.readTree(json), SOURCE, RECEIVED, BatchDefaults.NONE)
                .event();
    }

    @Test
    void trackKeepsTheSpecFieldsAndStampsTenantAndSource() throws Exception {
        Event e = parse(EventType.EVENT_TYPE_TRACK, """
                {"userId":"u1","anonymousId":"a1","messageId":"m1","event":"Order Completed",
                 "properties":{"revenue":99.5,"products":[{"sku":"A"}]},"context":{"ip":"1.2.3.4"},
                 "integrations":{"All":true},"tenant":"someone-else"}""");
        assertEquals("acme", e.getTenant(), "the tenant comes from the write key, never from the body");
        assertEquals(SOURCE.id().toString(), e.getSourceId());
        assertEquals("u1", e.getUserId());
        assertEquals("a1", e.getAnonymousId());
        assertEquals("m1", e.getMessageId());
        assertEquals("Order Completed", e.getEvent());
        assertEquals(99.5, e.getProperties().getFieldsOrThrow("revenue").getNumberValue());
        assertEquals("1.2.3.4", e.getContext().getFieldsOrThrow("ip").getStringValue());
        assertEquals(RECEIVED.getEpochSecond(), e.getTimestamp().getSeconds(), "no client time: received time");
        assertEquals(
                "00000000-0000-0000-0000-00000000000a/m1",
                EventRules.incomingKey(e),
                "dedup-service keeps its window by source and messageId");
    }

    @Test
    void generatesAMessageIdWhenNoneIsGiven() throws Exception {
        Event e = parse(EventType.EVENT_TYPE_PAGE, "{\"anonymousId\":\"a1\",\"name\":\"Home\"}");
        assertFalse(e.getMessageId().isEmpty());
        assertEquals("a1", e.getAnonymousId());
        assertEquals("Home", e.getName());
        assertEquals(SOURCE.id() + "/" + e.getMessageId(), EventRules.incomingKey(e));
    }

    @Test
    void numericUserIdsAreAcceptedAsText() throws Exception {
        assertEquals(
                "12345",
                parse(EventType.EVENT_TYPE_IDENTIFY, "{\"userId\":12345}").getUserId());
    }

    @Test
    void correctsTheClientsClockSkew() throws Exception {
        // the client's clock is 1 hour behind: it stamped the event 5 s before it sent the batch
        Event e = parse(EventType.EVENT_TYPE_TRACK, """
                {"userId":"u1","event":"X","timestamp":"2026-03-01T11:00:00Z","sentAt":"2026-03-01T11:00:05Z"}""");
        assertEquals(
                Instant.parse("2026-03-01T12:00:05Z").getEpochSecond(),
                e.getTimestamp().getSeconds());
        assertEquals(
                Instant.parse("2026-03-01T11:00:00Z").getEpochSecond(),
                e.getOriginalTimestamp().getSeconds());
        assertEquals(
                Instant.parse("2026-03-01T11:00:05Z").getEpochSecond(),
                e.getSentAt().getSeconds());
    }

    @Test
    void withoutSentAtTheClientTimestampIsKept() throws Exception {
        Event e = parse(
                EventType.EVENT_TYPE_TRACK,
                "{\"userId\":\"u1\",\"event\":\"X\",\"timestamp\":\"2025-12-24T08:00:00+08:00\"}");
        assertEquals(
                Instant.parse("2025-12-24T00:00:00Z").getEpochSecond(),
                e.getTimestamp().getSeconds());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "TRACK    | {\"event\":\"X\"}                                   | userId",
                "TRACK    | {\"userId\":\"\",\"anonymousId\":null,\"event\":\"X\"} | userId",
                "TRACK    | {\"userId\":\"u1\"}                                 | event",
                "TRACK    | {\"userId\":\"u1\",\"event\":\"  \"}                | event",
                "TRACK    | {\"userId\":\"u1\",\"event\":42}                    | event",
                "TRACK    | {\"userId\":{\"a\":1},\"event\":\"X\"}              | userId",
                "TRACK    | {\"userId\":\"u1\",\"event\":\"X\",\"properties\":[1]} | properties",
                "IDENTIFY | {\"userId\":\"u1\",\"traits\":\"vip\"}             | traits",
                "IDENTIFY | {\"userId\":\"u1\",\"timestamp\":\"yesterday\"}     | timestamp",
                "IDENTIFY | {\"userId\":\"u1\",\"sentAt\":12}                   | sentAt",
                "GROUP    | {\"userId\":\"u1\"}                                 | groupId",
                "ALIAS    | {\"userId\":\"u1\"}                                 | previousId",
                "ALIAS    | {\"anonymousId\":\"a1\",\"previousId\":\"p\"}       | userId",
                "TRACK    | {\"userId\":\"u\\u0000\",\"event\":\"X\"}          | userId",
                "TRACK    | {\"userId\":\"u1\",\"event\":\"X\",\"properties\":{\"a\":\"b\\u0000\"}} | properties"
            })
    void refusesCallsThatBreakTheSpecNamingTheField(String type, String json, String field) {
        InvalidEventException e =
                assertThrows(InvalidEventException.class, () -> parse(EventType.valueOf("EVENT_TYPE_" + type), json));
        assertEquals(field, e.field(), e.getMessage());
    }

    @Test
    void refusesOverlongIds() {
        String id = "x".repeat(EventRules.MAX_ID_LENGTH + 1);
        InvalidEventException e = assertThrows(
                InvalidEventException.class, () -> parse(EventType.EVENT_TYPE_IDENTIFY, "{\"userId\":\"" + id + "\"}"));
        assertEquals("userId", e.field());
    }

    @Test
    void refusesNonObjects() {
        JsonNode array = JSON.createArrayNode();
        assertThrows(
                InvalidEventException.class,
                () -> SegmentEventMapper.parse(
                        EventType.EVENT_TYPE_TRACK, array, SOURCE, RECEIVED, BatchDefaults.NONE));
    }

    @Test
    void aBatchGivesItsContextIntegrationsAndSentAtToItsEvents() throws Exception {
        JsonNode batch = JSON.readTree("""
                {"sentAt":"2026-03-01T11:00:05Z","context":{"library":{"name":"analytics-java"},"ip":"1.1.1.1"},
                 "integrations":{"All":false}}""");
        JsonNode item = JSON.readTree("""
                {"type":"track","userId":"u1","event":"X","timestamp":"2026-03-01T11:00:00Z","context":{"ip":"2.2.2.2"}}""");
        Event e = SegmentEventMapper.parse(
                        SegmentEventMapper.type(item), item, SOURCE, RECEIVED, BatchDefaults.of(batch, Map.of(), 8192))
                .event();
        assertEquals("2.2.2.2", e.getContext().getFieldsOrThrow("ip").getStringValue(), "the event's own keys win");
        assertEquals(
                "analytics-java",
                e.getContext()
                        .getFieldsOrThrow("library")
                        .getStructValue()
                        .getFieldsOrThrow("name")
                        .getStringValue());
        assertFalse(e.getIntegrations().getFieldsOrThrow("All").getBoolValue());
        assertEquals(
                Instant.parse("2026-03-01T12:00:05Z").getEpochSecond(),
                e.getTimestamp().getSeconds(),
                "the batch's sentAt corrects the clock skew");
    }

    @Test
    void aBatchContextLargerThanItsLimitIsRefusedNamingIt() throws Exception {
        JsonNode batch = JSON.readTree("{\"context\":{\"pad\":\"x\"},\"integrations\":{\"All\":true}}");
        InvalidEventException context = assertThrows(
                InvalidEventException.class, () -> BatchDefaults.of(batch, Map.of("context", 8193L), 8192));
        assertEquals("context", context.field());
        InvalidEventException integrations = assertThrows(
                InvalidEventException.class, () -> BatchDefaults.of(batch, Map.of("integrations", 9000L), 8192));
        assertEquals("integrations", integrations.field());
        assertEquals(
                "x",
                BatchDefaults.of(batch, Map.of("context", 8192L), 8192)
                        .context()
                        .getFieldsOrThrow("pad")
                        .getStringValue());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"{}", "{\"type\":\"purchase\"}", "{\"type\":7}"})
    void aBatchItemNeedsAKnownType(String json) {
        InvalidEventException e =
                assertThrows(InvalidEventException.class, () -> SegmentEventMapper.type(JSON.readTree(json)));
        assertEquals("type", e.field());
    }

    @Test
    void theCallersMessageIdIsRememberedOnlyWhenGiven() throws Exception {
        assertTrue(SegmentEventMapper.parse(
                        EventType.EVENT_TYPE_IDENTIFY,
                        JSON.readTree("{\"userId\":\"u1\",\"messageId\":\"m-1\"}"),
                        SOURCE,
                        RECEIVED,
                        BatchDefaults.NONE)
                .clientMessageId());
        assertFalse(SegmentEventMapper.parse(
                        EventType.EVENT_TYPE_IDENTIFY,
                        JSON.readTree("{\"userId\":\"u1\"}"),
                        SOURCE,
                        RECEIVED,
                        BatchDefaults.NONE)
                .clientMessageId());
    }
}
