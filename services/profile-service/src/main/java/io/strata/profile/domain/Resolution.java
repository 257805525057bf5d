package io.strata.profile.domain;

import java.util.List;
import java.util.UUID;

/**
 * What to do with an event's identifiers.
 *
 * @param target  the profile the event lands on; {@code null} means a new profile
 * @param merge   profiles to fold into the target, each with everything it owns
 * @param attach  identifiers nobody owns yet, to give to the target
 */
public record Resolution(UUID target, List<UUID> merge, List<IdentityKey> attach) {

    public boolean createsProfile() {
        return target == null;
    }
}
