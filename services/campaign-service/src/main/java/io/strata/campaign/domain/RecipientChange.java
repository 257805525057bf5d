package io.strata.campaign.domain;

import io.strata.campaign.delivery.ConsentEntry;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A change of a profile from the change feed, as far as journeys care: traits, tags, consents and
 * addresses per channel (from the identifiers); {@code snapshot} when it is the whole profile.
 * Applied only when its version is above the one held.
 */
public record RecipientChange(
        long version,
        boolean snapshot,
        Map<String, String> traits,
        Map<String, String> tags,
        Set<String> tagsRemoved,
        List<ConsentEntry> consents,
        Map<String, String> addresses) {}
