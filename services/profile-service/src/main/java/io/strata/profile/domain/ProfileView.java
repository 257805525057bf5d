package io.strata.profile.domain;

import java.util.List;

/** A profile with everything a reader sees of it. */
public record ProfileView(
        ProfileEntity profile, String traitsJson, List<IdentityEntity> identities, List<EventCountEntity> counts) {}
