package io.strata.profile.tags;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's tag catalog: the standard definitions, then its own, in the order rules are
 * evaluated (a rule reads only tags before it).
 */
public final class Catalog {

    private final Map<String, TagDefinition> definitions = new LinkedHashMap<>();
    private final boolean readsIdentities;

    public Catalog(List<TagDefinition> definitions) {
        boolean identities = false;
        for (TagDefinition d : definitions) {
            this.definitions.put(d.key(), d);
            identities |= d.rule() != null && d.rule().readsIdentities();
        }
        this.readsIdentities = identities;
    }

    public TagDefinition get(String key) {
        return definitions.get(key);
    }

    public Map<String, TagDefinition> definitions() {
        return Collections.unmodifiableMap(definitions);
    }

    /** Whether a rule counts identifiers (the event path then reads them). */
    public boolean readsIdentities() {
        return readsIdentities;
    }

    /**
     * Brings the profile's rule tags up to date, and drops values of tags no longer defined.
     *
     * @return whether a value changed
     */
    public boolean evaluate(TagInput in, ProfileTags tags, long now) {
        boolean changed = false;
        for (String key : List.copyOf(tags.entries().keySet())) {
            if (!definitions.containsKey(key)) {
                changed |= tags.remove(key);
            }
        }
        for (TagDefinition d : definitions.values()) {
            if (d.rule() == null) {
                continue;
            }
            JsonNode value = d.rule().evaluate(in);
            changed |= value == null ? tags.remove(d.key()) : tags.set(d.key(), value, "rule", now);
        }
        return changed;
    }
}
