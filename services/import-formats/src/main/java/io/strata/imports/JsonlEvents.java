package io.strata.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Segment calls, one JSON object a line, each with its {@code type}; blank lines are skipped.
 * A line longer than {@link #MAX_LINE_CHARS} is refused without being held in memory. A call
 * without a {@code messageId} gets one derived from its line number and text.
 */
public final class JsonlEvents implements Iterator<ImportRow> {

    /** Twice the ingestion API's 32 KB per event: room for whitespace, never a whole file. */
    public static final int MAX_LINE_CHARS = 64 * 1024;

    private final BufferedReader reader;
    private final StringBuilder buffer = new StringBuilder();
    private final ObjectMapper json;
    private long line;
    private ImportRow next;

    public JsonlEvents(BufferedReader reader, ObjectMapper json) {
        this.reader = reader;
        this.json = json;
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            Boolean fits;
            try {
                fits = readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (fits == null) {
                return false;
            }
            line++;
            if (!fits) {
                next = ImportRow.refused(line, "the line is longer than " + MAX_LINE_CHARS + " characters");
            } else if (!buffer.toString().isBlank()) {
                next = parse(buffer.toString());
            }
        }
        return true;
    }

    @Override
    public ImportRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ImportRow row = next;
        next = null;
        return row;
    }

    /**
     * Reads the next line into {@code buffer}: null at the end of the input, false when the line
     * is too long (its rest is skipped).
     */
    private Boolean readLine() throws IOException {
        buffer.setLength(0);
        boolean fits = true;
        int c = reader.read();
        if (c < 0) {
            return null;
        }
        for (; c >= 0 && c != '\n'; c = reader.read()) {
            if (fits && buffer.length() >= MAX_LINE_CHARS) {
                fits = false;
                buffer.setLength(0);
            }
            if (fits && c != '\r') {
                buffer.append((char) c);
            }
        }
        return fits;
    }

    /** A 128-bit digest of the text, in hex: the stable part of derived messageIds. */
    static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private ImportRow parse(String text) {
        try {
            JsonNode node = json.readTree(text);
            if (!(node instanceof ObjectNode event)) {
                return ImportRow.refused(line, "a line must hold one JSON object");
            }
            if (!event.path("type").isTextual()) {
                return ImportRow.refused(line, "type is required (identify, track, page, screen, group, alias)");
            }
            if (!event.hasNonNull("messageId")) {
                // derived from the line, so importing the same file again publishes nothing twice
                event.put("messageId", "import-" + digest(line + "\n" + text));
            }
            return ImportRow.of(line, event);
        } catch (JsonProcessingException e) {
            return ImportRow.refused(line, "malformed JSON: " + e.getOriginalMessage());
        }
    }
}
