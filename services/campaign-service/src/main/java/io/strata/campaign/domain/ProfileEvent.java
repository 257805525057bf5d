package io.strata.campaign.domain;

import java.time.Instant;
import java.util.Map;

/** An event of a profile that a journey may wait for. */
public record ProfileEvent(String name, Instant at, String messageId, Map<String, String> properties) {}
