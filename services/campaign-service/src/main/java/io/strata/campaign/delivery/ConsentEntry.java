package io.strata.campaign.delivery;

import java.time.Instant;

/**
 * A person's consent for a channel, purpose and sender ({@code ""} for every sender), as the profile
 * change feed carries it.
 */
public record ConsentEntry(String channel, String purpose, String sender, boolean granted, Instant at) {}
