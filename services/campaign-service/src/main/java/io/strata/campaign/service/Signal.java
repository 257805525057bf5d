package io.strata.campaign.service;

import io.strata.campaign.domain.ProfileEvent;
import java.time.Instant;

/** Something that happened to a profile which may start, move or end its journeys. */
public sealed interface Signal {

    String profileId();

    /** An event of the profile (from the profile events feed). */
    record Event(String profileId, ProfileEvent event) implements Signal {}

    /** The profile entered or left an audience (from the membership feed); {@code entryKey} identifies the transition. */
    record Audience(String profileId, String audience, boolean entered, Instant at, String entryKey)
            implements Signal {}

    /** The person was deleted: every instance ends, nothing more is sent. */
    record Deleted(String profileId, Instant at) implements Signal {}

    /** The profile changed (traits, tags, consent, identifiers), from the change feed. */
    record Changed(String profileId, io.strata.campaign.domain.RecipientChange change) implements Signal {}

    /** The profile was merged into another: its instances end (the survivor's journeys go on). */
    record Merged(String profileId, String into, Instant at) implements Signal {}

    /** Start a journey for the profile (a broadcast, a date trigger, the API). */
    record Start(String profileId, String journeyKey, String entryKey, Instant at) implements Signal {}
}
