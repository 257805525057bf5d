package io.strata.profile.consent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A profile's consent per channel, purpose and sender; the latest statement (by the time the person
 * made it) wins, so statements applied in any order give the same result. Stored as JSON
 * {@code {"channel|purpose|sender": {"g": granted, "s": source, "t": epoch ms}}}. Not thread-safe.
 */
public final class Consents {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the consent is for. */
    public record Scope(String channel, String purpose, String sender) {
        String key() {
            return channel + "|" + purpose + "|" + sender;
        }

        static Scope of(String key) {
            String[] parts = key.split("\\|", -1);
            return new Scope(parts[0], parts[1], parts.length > 2 ? parts[2] : "");
        }
    }

    /** One statement. */
    public record Entry(Scope scope, boolean granted, String source, long at) {}

    private final TreeMap<String, Entry> entries = new TreeMap<>();
    private final Set<String> changed = new TreeSet<>();

    public static Consents parse(String json) {
        Consents consents = new Consents();
        if (json == null || json.isBlank() || json.equals("{}")) {
            return consents;
        }
        try {
            JsonNode node = JSON.readTree(json);
            node.fields()
                    .forEachRemaining(e -> consents.entries.put(
                            e.getKey(),
                            new Entry(
                                    Scope.of(e.getKey()),
                                    e.getValue().path("g").asBoolean(),
                                    e.getValue().path("s").asText(""),
                                    e.getValue().path("t").asLong())));
            return consents;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "stored consent of a profile is not readable: " + e.getOriginalMessage(), e);
        }
    }

    public String json() {
        ObjectNode node = JSON.createObjectNode();
        entries.forEach((key, e) -> {
            ObjectNode entry = node.putObject(key);
            entry.put("g", e.granted());
            entry.put("s", e.source());
            entry.put("t", e.at());
        });
        return node.toString();
    }

    /** Applies a statement unless a later one is held; returns whether it changed anything. */
    public boolean state(Scope scope, boolean granted, String source, long at) {
        Entry held = entries.get(scope.key());
        if (held != null && held.at() > at) {
            return false;
        }
        if (held != null && held.granted() == granted && held.source().equals(source) && held.at() == at) {
            return false;
        }
        entries.put(scope.key(), new Entry(scope, granted, source, at));
        changed.add(scope.key());
        return true;
    }

    /** Takes in another profile's statements (a merge). */
    public void merge(Consents other) {
        other.entries.values().forEach(e -> state(e.scope(), e.granted(), e.source(), e.at()));
    }

    public Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    public Entry get(Scope scope) {
        return entries.get(scope.key());
    }

    public Set<String> changed() {
        return changed;
    }

    public void clearChanges() {
        changed.clear();
    }
}
