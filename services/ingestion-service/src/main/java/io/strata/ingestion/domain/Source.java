package io.strata.ingestion.domain;

import java.util.UUID;

/**
 * A place events come from, owned by a tenant.
 *
 * @param rateLimitPerSecond its own limit in events per second, or {@code null} for the default
 */
public record Source(UUID id, String tenant, String name, Integer rateLimitPerSecond) {}
