package io.strata.profile.domain;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Formula;

/** A unified consumer profile (read model; writes go through {@code ProfileGraphRepository}). */
@Entity
@Table(name = "profiles")
public class ProfileEntity {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String tenant;

    /** The traits as a JSON object. */
    @Formula("cast(traits as text)")
    public String traitsJson;

    @Column(name = "first_seen")
    public OffsetDateTime firstSeen;

    @Column(name = "last_seen")
    public OffsetDateTime lastSeen;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
