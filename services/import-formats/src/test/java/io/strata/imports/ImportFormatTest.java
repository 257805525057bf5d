package io.strata.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ImportFormatTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void gzipIsRecognisedByItsContentNotItsName() throws IOException {
        String jsonl = "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Signed Up\"}\n";
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            gzip.write(jsonl.getBytes(StandardCharsets.UTF_8));
        }
        for (byte[] file : List.of(zipped.toByteArray(), jsonl.getBytes(StandardCharsets.UTF_8))) {
            List<ImportRow> rows = rows(ImportFormat.JSONL, new ByteArrayInputStream(file));
            assertEquals(1, rows.size());
            assertEquals("u1", rows.get(0).event().get("userId").asText());
        }
    }

    @Test
    void aTruncatedGzipIsAFailureToReadTheFileNotARefusedRow() throws IOException {
        StringBuilder csv = new StringBuilder("order_id,user_id,order_time,category,amount\n");
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            csv.append("O-")
                    .append(i)
                    .append(",u")
                    .append(i)
                    .append(",2024-01-01,Shoes,")
                    .append(i)
                    .append('\n');
            jsonl.append("{\"type\":\"track\",\"userId\":\"u").append(i).append("\",\"event\":\"E\"}\n");
        }
        for (ImportFormat format : List.of(ImportFormat.CSV, ImportFormat.JSONL)) {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
                gzip.write((format == ImportFormat.CSV ? csv : jsonl).toString().getBytes(StandardCharsets.UTF_8));
            }
            byte[] truncated = java.util.Arrays.copyOf(zipped.toByteArray(), zipped.size() / 2);
            Exception failure = assertThrows(
                    Exception.class, () -> rows(format, new ByteArrayInputStream(truncated)), format.name());
            assertTrue(
                    failure instanceof IOException || failure instanceof java.io.UncheckedIOException,
                    format + ": " + failure);
        }
    }

    @Test
    void formatsByNameAndFileName() {
        assertEquals(Optional.of(ImportFormat.CSV), ImportFormat.of("csv"));
        assertEquals(Optional.of(ImportFormat.JSONL), ImportFormat.of("JSONL"));
        assertEquals(Optional.empty(), ImportFormat.of("xml"));
        assertEquals(Optional.of(ImportFormat.CSV), ImportFormat.ofFileName("orders-2024.CSV.gz"));
        assertEquals(Optional.of(ImportFormat.JSONL), ImportFormat.ofFileName("events.ndjson"));
        assertEquals(Optional.empty(), ImportFormat.ofFileName("events.txt"));
    }

    @Test
    void anOverlongJsonLineIsRefusedAndReadingGoesOn() throws IOException {
        String jsonl = "{\"type\":\"track\",\"event\":\"" + "x".repeat(JsonlEvents.MAX_LINE_CHARS) + "\"}\n"
                + "{\"type\":\"page\",\"anonymousId\":\"a\"}\n";
        List<ImportRow> rows = rows(ImportFormat.JSONL, stream(jsonl));
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).error().contains("longer than"), rows.get(0).error());
        assertEquals(2, rows.get(1).line());
        assertNull(rows.get(1).error());
    }

    @Test
    void anUnclosedQuoteDoesNotReadTheRestOfTheFileIntoMemory() throws IOException {
        String csv = "order_id,user_id,timestamp,amount\n"
                + "o1,u1,2024-01-01,10\n"
                + "o2,\"u2" + ",filler\n".repeat(CsvOrders.MAX_RECORD_CHARS / 5);
        List<ImportRow> rows = rows(ImportFormat.CSV, stream(csv));
        assertNull(rows.get(0).error());
        ImportRow last = rows.get(rows.size() - 1);
        assertTrue(last.error().contains("cannot be read further"), last.error());
    }

    @Test
    void anOrderOfTooManyLinesIsRefusedAsAWhole() throws IOException {
        StringBuilder csv = new StringBuilder("order_id,user_id,timestamp,product_id,price\n");
        for (int i = 0; i <= CsvOrders.MAX_ORDER_LINES; i++) {
            csv.append("big,u1,2024-01-01,p").append(i).append(",1\n");
        }
        csv.append("small,u2,2024-01-02,p1,5\n");
        List<ImportRow> rows = rows(ImportFormat.CSV, stream(csv.toString()));
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).error().contains("lines"), rows.get(0).error());
        assertEquals(
                "small", rows.get(1).event().path("properties").path("order_id").asText());
    }

    private List<ImportRow> rows(ImportFormat format, InputStream file) throws IOException {
        List<ImportRow> rows = new ArrayList<>();
        Iterator<ImportRow> it = format.rows(file, json, ZoneOffset.ofHours(8));
        it.forEachRemaining(rows::add);
        return rows;
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
