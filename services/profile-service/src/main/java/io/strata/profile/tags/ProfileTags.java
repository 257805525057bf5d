package io.strata.profile.tags;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A profile's tag values, each with its source ("rule", "manual", "import", "model:<client>") and
 * the time it was set; and the keys changed since the changes were last cleared (for the change
 * feed). Stored as JSON {@code {key: {"v": value, "s": source, "t": epoch ms}}} ("s" left out for
 * "rule", the most frequent). Not thread-safe.
 */
public final class ProfileTags {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String RULE = "rule";

    /** One tag's value. */
    public record Entry(JsonNode value, String source, long at) {}

    private final TreeMap<String, Entry> entries = new TreeMap<>();
    private final Set<String> changed = new TreeSet<>();

    public static ProfileTags empty() {
        return new ProfileTags();
    }

    /** Reads the stored form ({@code null} or blank: none); streamed, as it is read for every profile written. */
    public static ProfileTags parse(String json) {
        ProfileTags tags = new ProfileTags();
        if (json == null || json.isBlank() || json.equals("{}")) {
            return tags;
        }
        try (JsonParser in = JSON.getFactory().createParser(json)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException("stored tags of a profile are not an object");
            }
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String key = in.currentName();
                in.nextToken();
                JsonNode value = null;
                String source = RULE;
                long at = 0;
                while (in.nextToken() == JsonToken.FIELD_NAME) {
                    String field = in.currentName();
                    in.nextToken();
                    switch (field) {
                        case "v" -> value = JSON.readTree(in);
                        case "s" -> source = in.getText();
                        case "t" -> at = in.getLongValue();
                        default -> in.skipChildren();
                    }
                }
                tags.entries.put(key, new Entry(value, source, at));
            }
            return tags;
        } catch (IOException e) {
            throw new IllegalStateException("stored tags of a profile are not readable: " + e.getMessage(), e);
        }
    }

    /** The stored form. */
    public String json() {
        StringWriter text = new StringWriter(entries.size() * 40);
        try (JsonGenerator out = JSON.getFactory().createGenerator(text)) {
            out.writeStartObject();
            for (var e : entries.entrySet()) {
                out.writeFieldName(e.getKey());
                out.writeStartObject();
                out.writeFieldName("v");
                JSON.writeTree(out, e.getValue().value());
                if (!e.getValue().source().equals(RULE)) {
                    out.writeStringField("s", e.getValue().source());
                }
                out.writeNumberField("t", e.getValue().at());
                out.writeEndObject();
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return text.toString();
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
