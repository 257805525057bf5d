package io.strata.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonlEventsTest {

    @Test
    void eachLineIsACallAndBadLinesAreNamed() {
        String jsonl = """
                {"type":"track","userId":"u1","event":"Order Completed","timestamp":"2023-05-01T08:00:00Z"}

                {"type":"identify","userId":"u1",
                [1,2]
                {"userId":"u2"}
                {"type":"page","anonymousId":"a"}
                """;
        List<ImportRow> rows = new ArrayList<>();
        new JsonlEvents(new BufferedReader(new StringReader(jsonl)), new ObjectMapper()).forEachRemaining(rows::add);
        assertEquals(5, rows.size(), "blank lines are skipped");
        assertNull(rows.get(0).error());
        assertEquals(
                "2023-05-01T08:00:00Z", rows.get(0).event().get("timestamp").asText(), "kept as it was");
        assertEquals(3, rows.get(1).line());
        assertTrue(rows.get(1).error().startsWith("malformed JSON"));
        assertTrue(rows.get(2).error().contains("JSON object"));
        assertTrue(rows.get(3).error().contains("type"));
        assertEquals(6, rows.get(4).line());
    }

    @Test
    void aCallWithoutMessageIdGetsOneDerivedFromItsLine() {
        String jsonl = """
                {"type":"page","anonymousId":"a"}
                {"type":"page","anonymousId":"a","messageId":"m-1"}
                {"type":"page","anonymousId":"a"}
                """;
        List<ImportRow> first = new ArrayList<>();
        new JsonlEvents(new BufferedReader(new StringReader(jsonl)), new ObjectMapper()).forEachRemaining(first::add);
        List<ImportRow> again = new ArrayList<>();
        new JsonlEvents(new BufferedReader(new StringReader(jsonl)), new ObjectMapper()).forEachRemaining(again::add);
        String derived = first.get(0).event().get("messageId").asText();
        assertTrue(derived.startsWith("import-"), derived);
        assertEquals("m-1", first.get(1).event().get("messageId").asText(), "a given messageId is kept");
        assertNotEquals(derived, first.get(2).event().get("messageId").asText(), "same text, other line");
        assertEquals(derived, again.get(0).event().get("messageId").asText(), "the same file gives the same ids");
    }
}
