package io.strata.campaign.domain;

import io.strata.campaign.delivery.ConsentEntry;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What campaign-service keeps of a person from the profile change feed: whether it was deleted or
 * suppressed, its zone, consents, traits, tags, audiences, addresses per channel and WeChat
 * subscription quotas per template.
 */
public record RecipientState(
        String tenant,
        String profileId,
        Optional<String> zone,
        boolean deleted,
        boolean suppressed,
        List<ConsentEntry> consents,
        Map<String, String> traits,
        Map<String, String> tags,
        Set<String> audiences,
        Map<String, String> addresses,
        Map<String, Integer> quota) {

    public static RecipientState empty(String tenant, String profileId) {
        return new RecipientState(
                tenant,
                profileId,
                Optional.empty(),
                false,
                false,
                List.of(),
                Map.of(),
                Map.of(),
                Set.of(),
                Map.of(),
                Map.of());
    }

    /** A date trait or tag (yyyy-MM-dd, or the date of an ISO instant). */
    public Optional<LocalDate> date(String attribute) {
        String v = traits.getOrDefault(attribute, tags.get(attribute));
        if (v == null || v.length() < 10) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(v.substring(0, 10)));
        } catch (java.time.DateTimeException e) {
            return Optional.empty();
        }
    }
}
