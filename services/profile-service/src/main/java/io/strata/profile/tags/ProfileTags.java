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
 * feed). Stored as JSON {@code {"r": {key: value}, "o": {key: {"v": value, "s": source, "t": epoch
 * ms}}}}: rule tags' values alone (a rule tag is as of the profile's version; it has no time of its
 * own), the rest with their source and time. Keys have two characters at least, so "r" and "o" are
 * no tag's. Not thread-safe.
 */
public final class ProfileTags {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String RULE = "rule";
    /** The stored form's sections: rule tags' values; the others' entries. */
    private static final String RULES = "r";

    private static final String OTHERS = "o";

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
            expect(in.nextToken(), JsonToken.START_OBJECT);
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String section = in.currentName();
                expect(in.nextToken(), JsonToken.START_OBJECT);
                while (in.nextToken() == JsonToken.FIELD_NAME) {
                    String key = in.currentName();
                    in.nextToken();
                    if (section.equals(RULES)) {
                        tags.entries.put(key, new Entry(JSON.readTree(in), RULE, 0));
                    } else {
                        tags.entries.put(key, entry(in));
                    }
                }
            }
            return tags;
        } catch (IOException e) {
            throw new IllegalStateException("stored tags of a profile are not readable: " + e.getMessage(), e);
        }
    }

    private static Entry entry(JsonParser in) throws IOException {
        JsonNode value = null;
        String source = "";
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
        return new Entry(value, source, at);
    }

    private static void expect(JsonToken token, JsonToken expected) {
        if (token != expected) {
            throw new IllegalStateException("stored tags of a profile are not readable: " + token + " for " + expected);
        }
    }

    /** The stored form. */
    public String json() {
        StringWriter text = new StringWriter(entries.size() * 24);
        try (JsonGenerator out = JSON.getFactory().createGenerator(text)) {
            out.writeStartObject();
            out.writeObjectFieldStart(RULES);
            for (var e : entries.entrySet()) {
                if (e.getValue().source().equals(RULE)) {
                    out.writeFieldName(e.getKey());
                    JSON.writeTree(out, e.getValue().value());
                }
            }
            out.writeEndObject();
            out.writeObjectFieldStart(OTHERS);
            for (var e : entries.entrySet()) {
                if (!e.getValue().source().equals(RULE)) {
                    out.writeFieldName(e.getKey());
                    out.writeStartObject();
                    out.writeFieldName("v");
                    JSON.writeTree(out, e.getValue().value());
                    out.writeStringField("s", e.getValue().source());
                    out.writeNumberField("t", e.getValue().at());
                    out.writeEndObject();
                }
            }
            out.writeEndObject();
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
