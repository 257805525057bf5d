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
        Map<String, Integer> quota,
        long version) {

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
                Map.of(),
                0);
    }

    /** The trait that names a profile's time zone. */
    public static final String ZONE_TRAIT = "timezone";

    /**
     * This state with a change of the profile applied: entries given replace the held ones (consents
     * by channel, purpose and sender), removed tags go; a snapshot replaces everything it covers.
     */
    public RecipientState apply(RecipientChange change) {
        var newTraits = new java.util.HashMap<>(change.snapshot() ? Map.<String, String>of() : traits);
        newTraits.putAll(change.traits());
        var newTags = new java.util.HashMap<>(change.snapshot() ? Map.<String, String>of() : tags);
        newTags.putAll(change.tags());
        change.tagsRemoved().forEach(newTags::remove);
        var newConsents = new java.util.ArrayList<ConsentEntry>();
        if (!change.snapshot()) {
            for (ConsentEntry held : consents) {
                boolean replaced = change.consents().stream()
                        .anyMatch(c -> c.channel().equals(held.channel())
                                && c.purpose().equals(held.purpose())
                                && c.sender().equals(held.sender()));
                if (!replaced) {
                    newConsents.add(held);
                }
            }
        }
        newConsents.addAll(change.consents());
        var newAddresses = new java.util.HashMap<>(change.snapshot() ? Map.<String, String>of() : addresses);
        newAddresses.putAll(change.addresses());
        Optional<String> newZone =
                Optional.ofNullable(newTraits.get(ZONE_TRAIT)).or(() -> zone);
        return new RecipientState(
                tenant,
                profileId,
                newZone,
                deleted,
                suppressed,
                List.copyOf(newConsents),
                Map.copyOf(newTraits),
                Map.copyOf(newTags),
                audiences,
                Map.copyOf(newAddresses),
                quota,
                Math.max(version, change.version()));
    }

    /** This state with the profile in or out of an audience. */
    public RecipientState withAudience(String audience, boolean member) {
        var newAudiences = new java.util.HashSet<>(audiences);
        if (member) {
            newAudiences.add(audience);
        } else {
            newAudiences.remove(audience);
        }
        return new RecipientState(
                tenant,
                profileId,
                zone,
                deleted,
                suppressed,
                consents,
                traits,
                tags,
                Set.copyOf(newAudiences),
                addresses,
                quota,
                version);
    }

    /**
     * This state with {@code delta} one-time acceptances of a WeChat subscription template: an
     * acceptance adds one, a send spends one (never below none).
     */
    public RecipientState withQuota(String template, int delta) {
        var newQuota = new java.util.HashMap<>(quota);
        int left = Math.max(0, newQuota.getOrDefault(template, 0) + delta);
        if (left == 0) {
            newQuota.remove(template);
        } else {
            newQuota.put(template, left);
        }
        return new RecipientState(
                tenant,
                profileId,
                zone,
                deleted,
                suppressed,
                consents,
                traits,
                tags,
                audiences,
                addresses,
                Map.copyOf(newQuota),
                version);
    }

    /** The person was deleted: nothing of it is kept but the mark that stops every send and entry. */
    public RecipientState erased() {
        return new RecipientState(
                tenant,
                profileId,
                Optional.empty(),
                true,
                true,
                List.of(),
                Map.of(),
                Map.of(),
                Set.of(),
                Map.of(),
                Map.of(),
                version);
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
