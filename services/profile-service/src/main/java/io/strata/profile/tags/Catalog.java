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

    public Catalog(List<TagDefinition> definitions) {
        for (TagDefinition d : definitions) {
            this.definitions.put(d.key(), d);
        }
    }

    public TagDefinition get(String key) {
        return definitions.get(key);
    }

    public Map<String, TagDefinition> definitions() {
        return Collections.unmodifiableMap(definitions);
    }

    /** Brings every rule tag of the profile up to date (see {@link #evaluate(TagInput, ProfileTags, long, RuleInputs)}). */
    public boolean evaluate(TagInput in, ProfileTags tags, long now) {
        return evaluate(in, tags, now, RuleInputs.everything(), true);
    }

    /**
     * Brings the profile's rule tags up to date. Only the rules reading something in {@code inputs}
     * (what changed) are evaluated (the others' values still hold); a tag whose value changes is
     * added to it, so the rules reading that tag follow.
     *
     * @param dropUndefined also drop values of tags this catalog does not define: only with a
     *     catalog read in the writing transaction (a recompute), never with a cached one, which may
     *     not know a tag defined a moment ago
     * @return whether a value changed
     */
    public boolean evaluate(TagInput in, ProfileTags tags, long now, RuleInputs inputs, boolean dropUndefined) {
        boolean changed = false;
        if (dropUndefined) {
            for (String key : List.copyOf(tags.entries().keySet())) {
                if (!definitions.containsKey(key)) {
                    changed |= tags.remove(key);
                }
            }
        }
        for (TagDefinition d : definitions.values()) {
            if (d.rule() == null || !d.rule().inputs().affectedBy(inputs)) {
                continue;
            }
            JsonNode value = d.rule().evaluate(in);
            if (value == null ? tags.remove(d.key()) : tags.set(d.key(), value, "rule", now)) {
                changed = true;
                inputs.tags.add(d.key());
            }
        }
        return changed;
    }
}
