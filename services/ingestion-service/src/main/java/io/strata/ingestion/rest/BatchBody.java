package io.strata.ingestion.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.ingestion.domain.IngestionException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch request read in one pass: its top-level fields, and each event with its size in the
 * body as sent (so the 32 KB limit needs no re-serialisation).
 *
 * @param fields the top-level fields but {@code batch}
 * @param fieldSizes the size of each of them in the body, as sent
 */
record BatchBody(ObjectNode fields, Map<String, Long> fieldSizes, List<Item> items) {

    record Item(JsonNode node, long bytes) {}

    /** @throws IngestionException for malformed JSON, a missing batch, or more than {@code maxEvents} */
    static BatchBody read(ObjectMapper mapper, byte[] body, int maxEvents) {
        try (JsonParser parser = mapper.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw IngestionException.invalid("", "the body must be a JSON object");
            }
            ObjectNode fields = mapper.createObjectNode();
            Map<String, Long> sizes = new HashMap<>();
            List<Item> items = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("batch") && value == JsonToken.START_ARRAY) {
                    items = new ArrayList<>();
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        if (items.size() == maxEvents) {
                            throw IngestionException.invalid("batch", "a batch holds at most " + maxEvents + " events");
                        }
                        long start = parser.currentTokenLocation().getByteOffset();
                        JsonNode item = mapper.readTree(parser);
                        items.add(new Item(item, parser.currentLocation().getByteOffset() - start));
                    }
                } else {
                    long start = parser.currentTokenLocation().getByteOffset();
                    fields.set(name, mapper.readTree(parser));
                    sizes.put(name, parser.currentLocation().getByteOffset() - start);
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw IngestionException.invalid("", "malformed JSON: content after the object");
            }
            if (items == null) {
                throw IngestionException.invalid("batch", "batch must be an array of events");
            }
            return new BatchBody(fields, sizes, items);
        } catch (JsonProcessingException e) {
            throw IngestionException.invalid("", "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw IngestionException.invalid("", "unreadable body: " + e.getMessage());
        }
    }
}
