package io.strata.profile.domain;

import java.util.Map;
import java.util.UUID;

/**
 * An identifier of an incoming event that a profile already owns.
 *
 * @param ownerCounts how many identifiers of each type the owning profile holds
 * @param ownerRank   the owner's age among the owners found: 0 is the oldest profile
 */
public record OwnedIdentity(IdentityKey identity, UUID owner, Map<IdentityType, Integer> ownerCounts, int ownerRank) {}
