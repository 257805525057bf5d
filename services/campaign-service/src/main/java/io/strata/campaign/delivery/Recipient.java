package io.strata.campaign.delivery;

import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * What the send-time checks know of the person: deleted or suppressed, consents, membership of the
 * tenant's global control group, the clock they live by, and WeChat subscription quotas (one-time
 * acceptances left, per template).
 */
public record Recipient(
        boolean deleted,
        boolean suppressed,
        List<ConsentEntry> consents,
        boolean globalControl,
        ZoneId zone,
        Map<String, Integer> subscriptionQuota) {

    public Recipient {
        consents = List.copyOf(consents);
        subscriptionQuota = Map.copyOf(subscriptionQuota);
    }
}
