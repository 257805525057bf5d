package io.strata.profile.tags;

import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileState;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;

/** What rules see of a profile a write is working on. */
public final class TagInputs {

    private TagInputs() {}

    /** @param identities the profile's identifiers per type (empty when no rule counts them) */
    public static TagInput of(ProfileState state, Map<IdentityType, Integer> identities, Instant now, ZoneId zone) {
        return new TagInput(
                () -> state.traits().values(),
                state.behaviour(),
                () -> identities,
                state.firstSeen(),
                state.lastSeen(),
                state.tags(),
                now,
                zone);
    }
}
