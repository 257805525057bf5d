package io.strata.campaign.delivery;

import java.time.Instant;
import java.util.Set;

/** A message about to be sent. */
public record SendRequest(
        String channel, String template, String sender, boolean marketing, Set<String> tags, Instant at) {

    public SendRequest {
        sender = sender == null ? "" : sender;
        tags = Set.copyOf(tags);
    }
}
