package io.strata.profile.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One identifier of the identity graph and the profile that owns it. */
@Entity
@Table(name = "profile_identities")
public class IdentityEntity {

    @Id
    public Long id;

    @Column(nullable = false)
    public String tenant;

    @Column(nullable = false)
    public String type;

    @Column(nullable = false)
    public String value;

    @Column(name = "profile_id", nullable = false)
    public UUID profileId;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
