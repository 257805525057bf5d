package io.strata.profile.tags;

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
 * A profile's tag values, each with its source ("rule", "manual", "import", "model:<client>") and
 * the time it was set; and the keys changed since the changes were last cleared (for the change
 * feed). Stored as JSON {@code {key: {"v": value, "s": source, "t": epoch ms}}}. Not thread-safe.
 */
public final class ProfileTags {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tag's value. */
    public record Entry(JsonNode value, String source, long at) {}

    private final TreeMap<String, Entry> entries = new TreeMap<>();
    private final Set<String> changed = new TreeSet<>();

    public static ProfileTags empty() {
        return new ProfileTags();
    }

    /** Reads the stored form ({@code null} or blank: none). */
    public static ProfileTags parse(String json) {
        ProfileTags tags = new ProfileTags();
        if (json == null || json.isBlank() || json.equals("{}")) {
            return tags;
        }
        try {
            JsonNode node = JSON.readTree(json);
            node.fields()
                    .forEachRemaining(e -> tags.entries.put(
                            e.getKey(),
                            new Entry(
                                    e.getValue().get("v"),
                                    e.getValue().path("s").asText("rule"),
                                    e.getValue().path("t").asLong())));
            return tags;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored tags of a profile are not readable: " + e.getOriginalMessage(), e);
        }
    }

    /** The stored form. */
    public String json() {
        ObjectNode node = JSON.createObjectNode();
        entries.forEach((key, e) -> {
            ObjectNode entry = node.putObject(key);
            entry.set("v", e.value());
            entry.put("s", e.source());
            entry.put("t", e.at());
        });
        return node.toString();
    }

    public JsonNode value(String key) {
        Entry e = entries.get(key);
        return e == null ? null : e.value();
    }

    public Entry get(String key) {
        return entries.get(key);
    }

    public Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    /** Sets a value; a change only when the value differs (the source and time then follow it). */
    public boolean set(String key, JsonNode value, String source, long at) {
        Entry old = entries.get(key);
        if (old != null && old.value().equals(value) && old.source().equals(source)) {
            return false;
        }
        entries.put(key, new Entry(value, source, at));
        changed.add(key);
        return true;
    }

    public boolean remove(String key) {
        if (entries.remove(key) == null) {
            return false;
        }
        changed.add(key);
        return true;
    }

    /** Takes in another profile's values (a merge): per tag, the one set last wins. */
    public void merge(ProfileTags other) {
        other.entries.forEach((key, theirs) -> {
            Entry mine = entries.get(key);
            if (mine == null || theirs.at() > mine.at()) {
                entries.put(key, theirs);
                changed.add(key);
            }
        });
    }

    /** Keys set or removed since the changes were last cleared. */
    public Set<String> changed() {
        return changed;
    }

    public void clearChanges() {
        changed.clear();
    }
}
