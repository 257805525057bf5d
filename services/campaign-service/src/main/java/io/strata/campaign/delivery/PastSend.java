package io.strata.campaign.delivery;

import java.time.Instant;
import java.util.Set;

/** A message the person was sent, as the caps count it. */
public record PastSend(Instant at, String channel, Set<String> tags, boolean marketing) {}
