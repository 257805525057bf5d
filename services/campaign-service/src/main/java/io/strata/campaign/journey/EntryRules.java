package io.strata.campaign.journey;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether a profile may start an instance of a journey now, given its earlier instances of that
 * journey (any version). An entry key (the triggering event's id, the audience entry's time, the
 * year of an anniversary) is never entered twice, so a redelivered trigger starts nothing.
 */
public final class EntryRules {

    /** A profile's earlier instance of the journey. */
    public record Earlier(String entryKey, boolean active, Optional<Instant> endedAt) {}

    private EntryRules() {}

    public static boolean mayEnter(Journey.Reentry reentry, List<Earlier> earlier, String entryKey, Instant now) {
        if (earlier.stream().anyMatch(e -> e.entryKey().equals(entryKey))) {
            return false;
        }
        return switch (reentry.mode()) {
            case NEVER -> earlier.isEmpty();
            case EVERY_ENTRY -> true;
            case AFTER_EXIT ->
                earlier.stream().noneMatch(Earlier::active)
                        && earlier.stream()
                                .map(e -> e.endedAt().orElse(Instant.MIN))
                                .allMatch(
                                        ended -> !ended.plus(reentry.cooldown()).isAfter(now));
        };
    }
}
