package io.strata.profile.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Identity resolution (ID mapping) for one event: which profile it belongs to, which profiles it
 * proves to be the same consumer, which new identifiers it brings, and what the tenant's limits
 * ({@link IdentityRules}) refuse.
 *
 * <p>Rules, in order:
 * <ol>
 * <li>The event's identifiers nobody owns yet, of a type limited to one per profile (by default
 *     the user id), say who the event is: a profile already holding another identifier of that
 *     type cannot take the event.</li>
 * <li>The owners of the event's identifiers are taken in the order of the tenant's priority of the
 *     identifier through which they were found, ties going to the oldest profile. The first owner
 *     that fits becomes the target; every other one that fits is merged into it. An owner fits when
 *     the profile would, with it, hold no more identifiers of any type than the limit allows (types
 *     only one side holds never count against it). An owner that does not fit keeps all it has, and
 *     the refusal is recorded.</li>
 * <li>The remaining new identifiers are attached as long as the limits allow; the others are
 *     refused and recorded.</li>
 * <li>An alias ({@code aliases}: identifiers the event declares to be the same person, e.g. a
 *     former user id) merges its owner into the profile the event's own identifiers decide (or makes
 *     it the target when they decide none), whatever the limits say: a brand asked for it.</li>
 * <li>No owner fits: the event makes a new profile.</li>
 * </ol>
 */
public final class IdentityResolver {

    private IdentityResolver() {}

    /** With the default rules and no alias. */
    public static Resolution resolve(List<IdentityKey> eventIdentities, List<OwnedIdentity> owned) {
        return resolve(eventIdentities, Set.of(), owned, IdentityRules.DEFAULT);
    }

    /**
     * @param eventIdentities the event's identifiers (blocked values already removed)
     * @param aliases         identifiers the event aliases to its user id (looked up, never attached)
     * @param owned           the owners of the event's identifiers and aliases
     */
    public static Resolution resolve(
            List<IdentityKey> eventIdentities,
            Set<IdentityKey> aliases,
            List<OwnedIdentity> owned,
            IdentityRules rules) {
        int types = IdentityType.values().length;
        int[] held = new int[types];

        Set<IdentityKey> taken = new HashSet<>();
        owned.forEach(o -> taken.add(o.identity()));
        List<IdentityKey> fresh = new ArrayList<>();
        for (IdentityKey id : eventIdentities) {
            if (!taken.contains(id) && !fresh.contains(id)) {
                fresh.add(id);
            }
        }
        // new identifiers of a type allowed once per profile claim the event
        List<IdentityKey> claims = new ArrayList<>();
        List<IdentityKey> rest = new ArrayList<>();
        for (IdentityKey id : fresh) {
            if (rules.limit(id.type()) == 1 && held[id.type().ordinal()] == 0) {
                held[id.type().ordinal()] = 1;
                claims.add(id);
            } else {
                rest.add(id);
            }
        }

        // owners in decision order: the priority of the identifier they own, then their age
        Map<UUID, OwnedIdentity> owners = new LinkedHashMap<>();
        owned.stream()
                .sorted(Comparator.comparingInt((OwnedIdentity o) ->
                                // an alias's owner joins the profile the event's own identifiers decide
                                aliases.contains(o.identity())
                                        ? Integer.MAX_VALUE
                                        : rules.rank(o.identity().type()))
                        .thenComparingInt(OwnedIdentity::ownerRank))
                .forEach(o -> owners.putIfAbsent(o.owner(), o));
        Set<UUID> forced = new HashSet<>();
        for (OwnedIdentity o : owned) {
            if (aliases.contains(o.identity())) {
                forced.add(o.owner());
            }
        }

        UUID target = null;
        List<UUID> merge = new ArrayList<>();
        List<Resolution.Refusal> refused = new ArrayList<>();
        for (OwnedIdentity candidate : owners.values()) {
            Resolution.Refusal refusal = forced.contains(candidate.owner()) ? null : misfit(held, candidate, rules);
            if (refusal != null) {
                refused.add(refusal);
                continue;
            }
            candidate.ownerCounts().forEach((type, n) -> held[type.ordinal()] += n);
            if (target == null) {
                target = candidate.owner();
            } else {
                merge.add(candidate.owner());
            }
        }

        List<IdentityKey> attach = new ArrayList<>(claims);
        for (IdentityKey id : rest) {
            int now = held[id.type().ordinal()];
            int limit = rules.limit(id.type());
            if (now + 1 > limit) {
                refused.add(new Resolution.Refusal(null, id, id.type(), limit, now + 1));
            } else {
                held[id.type().ordinal()] = now + 1;
                attach.add(id);
            }
        }
        if (!claims.isEmpty() && attach.size() > claims.size()) {
            // keep the event's own order of its identifiers
            attach.sort(Comparator.comparingInt(fresh::indexOf));
        }
        return new Resolution(target, List.copyOf(merge), List.copyOf(attach), List.copyOf(refused));
    }

    /** Why the candidate cannot join what is held so far, or {@code null} when it can. */
    private static Resolution.Refusal misfit(int[] held, OwnedIdentity candidate, IdentityRules rules) {
        for (var entry : candidate.ownerCounts().entrySet()) {
            IdentityType type = entry.getKey();
            int theirs = entry.getValue();
            int ours = held[type.ordinal()];
            int limit = rules.limit(type);
            if (theirs > 0 && ours > 0 && ours + theirs > limit) {
                return new Resolution.Refusal(candidate.owner(), candidate.identity(), type, limit, ours + theirs);
            }
        }
        return null;
    }
}
