package io.strata.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Segment calls, one JSON object a line, each with its {@code type}; blank lines are skipped. */
final class JsonlEvents implements Iterator<ImportRow> {

    private final BufferedReader reader;
    private final ObjectMapper json;
    private long line;
    private ImportRow next;

    JsonlEvents(BufferedReader reader, ObjectMapper json) {
        this.reader = reader;
        this.json = json;
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            String text;
            try {
                text = reader.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (text == null) {
                return false;
            }
            line++;
            if (!text.isBlank()) {
                next = parse(text);
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

    private ImportRow parse(String text) {
        try {
            JsonNode node = json.readTree(text);
            if (!(node instanceof ObjectNode event)) {
                return ImportRow.refused(line, "a line must hold one JSON object");
            }
            if (!event.path("type").isTextual()) {
                return ImportRow.refused(line, "type is required (identify, track, page, screen, group, alias)");
            }
            return ImportRow.of(line, event);
        } catch (JsonProcessingException e) {
            return ImportRow.refused(line, "malformed JSON: " + e.getOriginalMessage());
        }
    }
}
