package io.strata.ingestion.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

@Entity
@Table(name = "sources")
public class SourceEntity {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String tenant;

    @Column(nullable = false)
    public String name;

    @Column(name = "write_key_hash", nullable = false)
    public String writeKeyHash;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    @Column(name = "rate_limit_per_second")
    public Integer rateLimitPerSecond;

    public Source toSource() {
        return new Source(id, tenant, name, rateLimitPerSecond);
    }
}
