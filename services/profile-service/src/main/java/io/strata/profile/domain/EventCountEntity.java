package io.strata.profile.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** How often a profile did one thing, and when first and last. */
@Entity
@Table(name = "profile_event_counts")
public class EventCountEntity {

    @Id
    public Long id;

    @Column(nullable = false)
    public String tenant;

    @Column(name = "profile_id", nullable = false)
    public UUID profileId;

    @Column(name = "event_name", nullable = false)
    public String eventName;

    @Column(nullable = false)
    public long count;

    @Column(name = "first_at", nullable = false)
    public OffsetDateTime firstAt;

    @Column(name = "last_at", nullable = false)
    public OffsetDateTime lastAt;
}
