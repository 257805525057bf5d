package io.strata.profile.tags;

import io.strata.profile.domain.Behaviour;
import io.strata.profile.domain.ProfileState;
import java.time.Instant;
import java.time.ZoneId;

/** What rules see of a profile a write is working on. */
public final class TagInputs {

    private TagInputs() {}

    /** What changed on the profile since its rule tags were last evaluated (on {@code today}). */
    public static RuleInputs changes(ProfileState state, int today) {
        if (state.isCreated() || state.wasMerged()) {
            return RuleInputs.everything();
        }
        RuleInputs changed = new RuleInputs();
        changed.traits = !state.changedTraits().isEmpty();
        changed.time = state.evaluatedDay() != today;
        changed.identities = !state.identitiesAdded().isEmpty();
        changed.seen = state.seenChanged();
        Behaviour.Changes behaviour = state.behaviourChanges();
        changed.orders = behaviour.orders;
        changed.events.addAll(behaviour.events);
        behaviour.facets.forEach(f -> {
            changed.facets.add(f.dimension());
            changed.facetValues.add(f.dimension() + "=" + f.value());
        });
        changed.tags.addAll(state.tags().changed());
        return changed;
    }

    /**
     * Brings the profile's rule tags up to date after what changed ({@code everything}: all of
     * them, and the values of tags no longer defined dropped, as a recompute does with the catalog
     * read in its transaction).
     */
    public static void evaluate(Catalog catalog, ProfileState state, boolean everything, Instant now, ZoneId zone) {
        int today = Behaviour.day(now, zone);
        RuleInputs changed = everything ? RuleInputs.everything() : changes(state, today);
        TagInput in = new TagInput(
                () -> state.traits().values(),
                state.behaviour(),
                state::identityCounts,
                state.firstSeen(),
                state.lastSeen(),
                state.tags(),
                now,
                zone);
        catalog.evaluate(in, state.tags(), now.toEpochMilli(), changed, everything);
        state.evaluatedOn(today);
    }
}
