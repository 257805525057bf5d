package io.strata.profile.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A profile with everything a reader sees of it.
 *
 * @param traitsJson its traits, a JSON object
 * @param identities its identifiers, in the order they joined
 * @param counts its events per name
 * @param behaviour its behaviour aggregates
 * @param today the day of the read (in the tenant's zone), where the rolling windows end
 * @param version its version (as on the change feed)
 * @param tagsJson its tags, as stored ({@link io.strata.profile.tags.ProfileTags})
 * @param consentsJson its consent, as stored ({@link io.strata.profile.consent.Consents})
 */
public record ProfileView(
        UUID id,
        String tenant,
        String traitsJson,
        Instant firstSeen,
        Instant lastSeen,
        Instant createdAt,
        Instant updatedAt,
        List<IdentityKey> identities,
        Map<String, Long> counts,
        Behaviour behaviour,
        int today,
        long version,
        String tagsJson,
        String consentsJson) {}
