package io.strata.campaign.delivery;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tenant's send rules: quiet hours per channel (channels not listed have none), whether a message
 * due in quiet hours waits for their end or is dropped, frequency caps, and the channels whose
 * messages spend a one-time subscription acceptance.
 */
public record SendPolicy(
        Map<String, QuietHours> quietHours, boolean deferInQuietHours, List<Cap> caps, Set<String> quotaChannels) {

    public SendPolicy {
        quietHours = Map.copyOf(quietHours);
        caps = List.copyOf(caps);
        quotaChannels = Set.copyOf(quotaChannels);
    }

    public QuietHours quietHours(String channel) {
        return quietHours.getOrDefault(channel, QuietHours.NONE);
    }
}
