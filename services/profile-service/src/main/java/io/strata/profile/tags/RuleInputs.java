package io.strata.profile.tags;

import java.util.HashSet;
import java.util.Set;

/**
 * Parts of a profile: those a rule reads (so it is evaluated only when one of them changed: the
 * {@link Catalog} indexes its rules by them), or those a write changed. {@code time} is the day of evaluation: rules reading days since, rolling
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
}
