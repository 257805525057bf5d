package io.strata.profile.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A unified consumer profile (read model; writes go through {@code ProfileGraphRepository}).
 * Its traits (a jsonb object) are read apart, as text, by {@code ProfileReadRepository#traits}.
 */
@Entity
@Table(name = "profiles")
public class ProfileEntity {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String tenant;

    @Column(name = "first_seen")
    public OffsetDateTime firstSeen;

    @Column(name = "last_seen")
    public OffsetDateTime lastSeen;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
