package io.strata.profile.domain;

import java.util.List;
import java.util.UUID;

/**
 * What to do with an event's identifiers.
 *
 * @param target  the profile the event lands on; {@code null} means a new profile
 * @param merge   profiles to fold into the target, each with everything it owns
 * @param attach  identifiers nobody owns yet, to give to the target
 * @param refused merges and identifiers the tenant's limits kept from the target
 */
public record Resolution(UUID target, List<UUID> merge, List<IdentityKey> attach, List<Refusal> refused) {

    public boolean createsProfile() {
        return target == null;
    }

    /**
     * A merge or an identifier refused because the profile would hold more identifiers of a type
     * than the tenant allows.
     *
     * @param other    the profile that was not merged, or {@code null} when an identifier was not attached
     * @param identity the event's identifier that would have merged the other profile, or the one not attached
     * @param type     the type whose limit it would break
     * @param limit    the limit
     * @param wouldHold how many of that type the profile would then have held
     */
    public record Refusal(UUID other, IdentityKey identity, IdentityType type, int limit, int wouldHold) {

        public String reason() {
            return "would hold " + wouldHold + " " + type + " identifiers; the limit is " + limit;
        }
    }
}
