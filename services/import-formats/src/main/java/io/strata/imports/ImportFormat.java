package io.strata.imports;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/** The history files Strata imports, read as a stream of Segment calls in constant memory. */
public enum ImportFormat {

    /** Orders exported from stores and marketplaces: see {@link CsvOrders}. */
    CSV,
    /** Segment calls, one JSON object a line: see {@link JsonlEvents}. */
    JSONL;

    private static final int BUFFER = 1 << 16;

    /**
     * The rows of a file, uncompressing it first when it starts with the gzip magic number.
     *
     * @param zone the offset of local times in the file (CSV)
     * @throws IllegalArgumentException when a CSV header lacks a required column
     */
    public Iterator<ImportRow> rows(InputStream file, ObjectMapper json, ZoneOffset zone) throws IOException {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(uncompressed(file), StandardCharsets.UTF_8), BUFFER);
        return this == CSV ? new CsvOrders(reader, json, zone) : new JsonlEvents(reader, json);
    }

    /** The format a file name tells ({@code .csv}, {@code .jsonl}, {@code .ndjson}, each also {@code .gz}). */
    public static Optional<ImportFormat> ofFileName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".gz")) {
            lower = lower.substring(0, lower.length() - 3);
        }
        if (lower.endsWith(".csv")) {
            return Optional.of(CSV);
        }
        if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) {
            return Optional.of(JSONL);
        }
        return Optional.empty();
    }

    /** {@code csv} or {@code jsonl}, in any case. */
    public static Optional<ImportFormat> of(String name) {
        for (ImportFormat format : values()) {
            if (format.name().equalsIgnoreCase(name)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    /** The stream itself, or its uncompressed content when it is gzip. */
    static InputStream uncompressed(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, BUFFER);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        boolean gzip = first == 0x1f && second == 0x8b;
        return gzip ? new GZIPInputStream(buffered, BUFFER) : buffered;
    }
}
