package io.strata.profile.domain;

import java.util.UUID;

/**
 * An identifier of an incoming event that a profile already owns.
 *
 * @param ownerUserId the user id of the owning profile, or {@code null} when it has none
 * @param ownerRank   the owner's age among the owners found: 0 is the oldest profile
 */
public record OwnedIdentity(IdentityKey identity, UUID owner, String ownerUserId, int ownerRank) {}
