package io.strata.profile.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a tenant's profiles add up to.
 *
 * @param knownProfiles profiles with a userId
 * @param identitiesByType identifiers per {@link IdentityType} name
 * @param merges profiles merged into another
 * @param firstSeen the earliest event of any profile, or null when there is none
 */
public record ProfileSummary(
        long profiles,
        long knownProfiles,
        Map<String, Long> identitiesByType,
        long merges,
        long events,
        List<EventTotal> topEvents,
        Instant firstSeen,
        Instant lastSeen) {

    /** Events of one name, and how many profiles have at least one. */
    public record EventTotal(String name, long events, long profiles) {}
}
