package io.strata.ingestion.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * A source as its administrators see it.
 *
 * @param revokedAt null while active
 * @param rateLimitPerSecond its own limit, or null for the default
 */
public record SourceRecord(
        UUID id, String tenant, String name, Instant createdAt, Instant revokedAt, Integer rateLimitPerSecond) {

    public boolean revoked() {
        return revokedAt != null;
    }

    public Source toSource() {
        return new Source(id, tenant, name, rateLimitPerSecond);
    }
}
