package io.strata.profile.tags;

import java.util.HashSet;
import java.util.Set;

/**
 * Parts of a profile: those a rule reads (so it is evaluated only when one of them changed), or
 * those a write changed. {@code time} is the day of evaluation: rules reading days since, rolling
 * windows or an age change with it.
 */
public final class RuleInputs {

    /** Everything (a new or merged profile, a recompute). */
    public boolean all;

    public boolean traits;
    public boolean time;
    public boolean identities;
    public boolean seen;
    public boolean orders;
    public final Set<String> events = new HashSet<>();
    /** Facet dimensions (a rule reading a dimension's distinct values or top value). */
    public final Set<String> facets = new HashSet<>();
    /** Single facet values, "dimension=value" (a write changes the dimension and its values). */
    public final Set<String> facetValues = new HashSet<>();

    public final Set<String> tags = new HashSet<>();

    public static RuleInputs everything() {
        RuleInputs all = new RuleInputs();
        all.all = true;
        return all;
    }

    /** Whether a rule reading these inputs must be evaluated after {@code changed}. */
    boolean affectedBy(RuleInputs changed) {
        return changed.all
                || (traits && changed.traits)
                || (time && changed.time)
                || (identities && changed.identities)
                || (seen && changed.seen)
                || (orders && changed.orders)
                || overlap(events, changed.events)
                || overlap(facets, changed.facets)
                || overlap(facetValues, changed.facetValues)
                || overlap(tags, changed.tags);
    }

    private static boolean overlap(Set<String> mine, Set<String> changed) {
        if (mine.isEmpty() || changed.isEmpty()) {
            return false;
        }
        for (String s : mine) {
            if (changed.contains(s)) {
                return true;
            }
        }
        return false;
    }
}
