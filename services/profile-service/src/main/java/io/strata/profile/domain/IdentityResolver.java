package io.strata.profile.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Identity resolution (ID mapping) for one event: which profile it belongs to, which profiles
 * it proves to be the same consumer, and which new identifiers it brings.
 *
 * <p>Rules, in order:
 * <ol>
 * <li>A profile holds at most one user id: two profiles with different user ids are never merged,
 *     and an identifier owned by a profile of another user id stays where it is.</li>
 * <li>When the event carries a user id, the event belongs to the profile that owns it; failing
 *     that, to the owner of its most authoritative identifier that is compatible with it
 *     (see {@link IdentityType} for the priority); failing that, to a new profile.</li>
 * <li>Without a user id, the owner of the most authoritative identifier wins, ties going to the
 *     oldest profile.</li>
 * <li>Every other compatible owner is merged into the target.</li>
 * </ol>
 */
public final class IdentityResolver {

    private IdentityResolver() {}

    public static Resolution resolve(List<IdentityKey> eventIdentities, List<OwnedIdentity> owned) {
        String eventUserId = eventIdentities.stream()
                .filter(id -> id.type() == IdentityType.USER_ID)
                .map(IdentityKey::value)
                .findFirst()
                .orElse(null);

        // owners in decision order: by the priority of the identifier they own, then by age
        Map<UUID, OwnedIdentity> owners = new LinkedHashMap<>();
        owned.stream()
                .sorted(Comparator.comparing((OwnedIdentity o) -> o.identity().type())
                        .thenComparingInt(OwnedIdentity::ownerRank))
                .forEach(o -> owners.putIfAbsent(o.owner(), o));

        UUID target = null;
        String userId = eventUserId;
        List<UUID> merge = new ArrayList<>();
        for (OwnedIdentity candidate : owners.values()) {
            if (!compatible(userId, candidate.ownerUserId())) {
                continue;
            }
            if (target == null) {
                target = candidate.owner();
            } else {
                merge.add(candidate.owner());
            }
            if (userId == null) {
                userId = candidate.ownerUserId();
            }
        }

        Set<IdentityKey> taken = owned.stream().map(OwnedIdentity::identity).collect(Collectors.toSet());
        List<IdentityKey> attach = eventIdentities.stream()
                .filter(id -> !taken.contains(id))
                .distinct()
                .toList();
        return new Resolution(target, List.copyOf(merge), attach);
    }

    private static boolean compatible(String userId, String ownerUserId) {
        return userId == null || ownerUserId == null || Objects.equals(userId, ownerUserId);
    }
}
