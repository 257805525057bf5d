package io.strata.campaign.domain;

import io.strata.campaign.delivery.SendPolicy;
import java.util.Optional;

/**
 * A tenant's send rules, the zone of its profiles without one, and the share of its profiles held
 * out of every marketing message (the global control group, chosen by a hash of the profile).
 */
public record TenantPolicy(SendPolicy send, Optional<String> zone, double globalControlShare) {

    public static TenantPolicy defaults() {
        return new TenantPolicy(Policies.defaults(), Optional.empty(), 0);
    }
}
