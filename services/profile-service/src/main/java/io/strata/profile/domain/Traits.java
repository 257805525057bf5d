package io.strata.profile.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A profile's traits with the event time each was written at: last write wins on the event's time,
 * not on arrival. An identify that arrives late does not overwrite a value a later identify set; of
 * two writes at the same time the one applied last wins. A trait is one top-level key (an object
 * such as {@code address} is one value).
 *
 * <p>Not thread-safe: one batch owns it.
 */
public final class Traits {

    private final ObjectNode values;
    /** Epoch milliseconds of the event that wrote each trait; traits stored before times were kept have none (oldest). */
    private final TreeMap<String, Long> times;

    public Traits(ObjectNode values, Map<String, Long> times) {
        this.values = values;
        this.times = new TreeMap<>(times);
    }

    public static Traits empty() {
        return new Traits(JsonNodeFactory.instance.objectNode(), Map.of());
    }

    /** Writes the event's traits where it is not older than what is there; adds the keys whose value changed. */
    public void write(ObjectNode traits, Instant at, Set<String> changed) {
        long millis = at.toEpochMilli();
        for (Iterator<Map.Entry<String, JsonNode>> it = traits.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            set(field.getKey(), field.getValue(), millis, changed);
        }
    }

    /** Takes the other profile's traits where they are newer (a merge). */
    public void merge(Traits other, Set<String> changed) {
        for (Iterator<Map.Entry<String, JsonNode>> it = other.values.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            set(field.getKey(), field.getValue(), other.times.getOrDefault(field.getKey(), Long.MIN_VALUE), changed);
        }
    }

    private void set(String key, JsonNode value, long at, Set<String> changed) {
        Long current = times.get(key);
        if (values.has(key) && (at == Long.MIN_VALUE || (current != null && at < current))) {
            return;
        }
        if (!value.equals(values.get(key))) {
            changed.add(key);
        }
        values.set(key, value);
        times.put(key, at);
    }

    public ObjectNode values() {
        return values;
    }

    public Map<String, Long> times() {
        return times;
    }

    public Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        values.fieldNames().forEachRemaining(keys::add);
        return keys;
    }
}
