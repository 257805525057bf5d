package io.strata.profile.tags;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tenant's tag catalog: the standard definitions, then its own, in the order rules are
 * evaluated (a rule reads only tags before it).
 */
public final class Catalog {

    private final Map<String, TagDefinition> definitions = new LinkedHashMap<>();

    /** The rule tags in order, and which of them read each input: a write asks the index, not every rule. */
    private final List<TagDefinition> rules = new java.util.ArrayList<>();

    private final BitSet all = new BitSet();
    private final BitSet traits = new BitSet();
    private final BitSet time = new BitSet();
    private final BitSet identities = new BitSet();
    private final BitSet seen = new BitSet();
    private final BitSet orders = new BitSet();
    private final Map<String, BitSet> events = new HashMap<>();
    private final Map<String, BitSet> facets = new HashMap<>();
    private final Map<String, BitSet> facetValues = new HashMap<>();
    private final Map<String, BitSet> tags = new HashMap<>();

    public Catalog(List<TagDefinition> definitions) {
        for (TagDefinition d : definitions) {
            this.definitions.put(d.key(), d);
        }
        for (TagDefinition d : this.definitions.values()) {
            if (d.rule() == null) {
                continue;
            }
            int i = rules.size();
            rules.add(d);
            all.set(i);
            RuleInputs reads = d.rule().inputs();
            set(traits, reads.traits, i);
            set(time, reads.time, i);
            set(identities, reads.identities, i);
            set(seen, reads.seen, i);
            set(orders, reads.orders, i);
            index(events, reads.events, i);
            index(facets, reads.facets, i);
            index(facetValues, reads.facetValues, i);
            index(tags, reads.tags, i);
        }
    }

    private static void set(BitSet bits, boolean reads, int rule) {
        if (reads) {
            bits.set(rule);
        }
    }

    private static void index(Map<String, BitSet> byInput, Set<String> inputs, int rule) {
        for (String input : inputs) {
            byInput.computeIfAbsent(input, k -> new BitSet()).set(rule);
        }
    }

    /** The rules reading something in {@code changed}. */
    private BitSet affected(RuleInputs changed) {
        if (changed.all) {
            return (BitSet) all.clone();
        }
        BitSet affected = new BitSet(rules.size());
        if (changed.traits) {
            affected.or(traits);
        }
        if (changed.time) {
            affected.or(time);
        }
        if (changed.identities) {
            affected.or(identities);
        }
        if (changed.seen) {
            affected.or(seen);
        }
        if (changed.orders) {
            affected.or(orders);
        }
        or(affected, events, changed.events);
        or(affected, facets, changed.facets);
        or(affected, facetValues, changed.facetValues);
        or(affected, tags, changed.tags);
        return affected;
    }

    private static void or(BitSet affected, Map<String, BitSet> byInput, Set<String> changed) {
        for (String input : changed) {
            BitSet readers = byInput.get(input);
            if (readers != null) {
                affected.or(readers);
            }
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
        BitSet affected = affected(inputs);
        for (int i = affected.nextSetBit(0); i >= 0; i = affected.nextSetBit(i + 1)) {
            TagDefinition d = rules.get(i);
            JsonNode value = d.rule().evaluate(in);
            if (value == null ? tags.remove(d.key()) : tags.set(d.key(), value, "rule", now)) {
                changed = true;
                inputs.tags.add(d.key());
                // the rules reading this tag come after it: they are evaluated in this same pass
                BitSet readers = this.tags.get(d.key());
                if (readers != null) {
                    affected.or(readers);
                }
            }
        }
        return changed;
    }
}
