package io.strata.profile.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant's identity graph as far as a batch of events needs it: who owns each identifier the
 * batch carries, loaded once from the database, then kept up to date in memory as the batch's
 * events are resolved one after the other. Resolving against it gives the same answers as reading
 * the database before every event, without a round trip per event.
 *
 * <p>It also keeps the version of every profile it knows, as read and as this batch's own writes
 * move it on: a write names the version it expects, so a profile another writer changed meanwhile
 * is noticed instead of overwritten.
 */
public final class GraphOverlay {

    /** A profile's facts that identity resolution looks at. */
    private static final class Owner {
        final UUID id;
        Instant createdAt;
        final Map<IdentityType, Integer> counts = new EnumMap<>(IdentityType.class);
        long version;

        Owner(UUID id, Instant createdAt, Map<IdentityType, Integer> counts, long version) {
            this.id = id;
            this.createdAt = createdAt;
            this.counts.putAll(counts);
            this.version = version;
        }
    }

    /** One identifier as the database has it, with its profile's facts (its identifiers per type). */
    public record Owned(
            IdentityKey identity,
            UUID profile,
            Instant profileCreatedAt,
            Map<IdentityType, Integer> profileCounts,
            long profileVersion) {}

    // the database orders profiles by (created_at, id), comparing uuids byte by byte: their text does the same
    private static final Comparator<Owner> AGE =
            Comparator.<Owner, Instant>comparing(o -> o.createdAt).thenComparing(o -> o.id.toString());

    private final Map<IdentityKey, Owner> owners = new HashMap<>();
    private final Map<UUID, Owner> profiles = new HashMap<>();

    public GraphOverlay(List<Owned> rows) {
        for (Owned row : rows) {
            Owner owner = profiles.computeIfAbsent(
                    row.profile(),
                    id -> new Owner(id, row.profileCreatedAt(), row.profileCounts(), row.profileVersion()));
            owners.put(row.identity(), owner);
        }
    }

    /** The event's identifiers that a profile owns, ranked by the owners' age as the resolver expects. */
    public List<OwnedIdentity> owned(List<IdentityKey> identities) {
        List<Owner> found = new ArrayList<>();
        for (IdentityKey identity : identities) {
            Owner owner = owners.get(identity);
            if (owner != null && !found.contains(owner)) {
                found.add(owner);
            }
        }
        found.sort(AGE);
        List<OwnedIdentity> owned = new ArrayList<>();
        for (IdentityKey identity : identities) {
            Owner owner = owners.get(identity);
            if (owner != null) {
                owned.add(new OwnedIdentity(identity, owner.id, Map.copyOf(owner.counts), found.indexOf(owner)));
            }
        }
        return owned;
    }

    /** A profile this batch created (written with version 0). */
    public void created(UUID profile, Instant at) {
        profiles.put(profile, new Owner(profile, at, Map.of(), 0));
    }

    /** The version the profile has as far as this batch knows: as read, plus this batch's writes. */
    public long version(UUID profile) {
        return profiles.get(profile).version;
    }

    /** This batch wrote the profile once more. */
    public void written(UUID profile) {
        profiles.get(profile).version++;
    }

    /** The identifiers now belong to the profile. */
    public void attached(UUID profile, List<IdentityKey> identities) {
        Owner owner = profiles.get(profile);
        for (IdentityKey identity : identities) {
            owners.put(identity, owner);
            owner.counts.merge(identity.type(), 1, Integer::sum);
        }
    }

    /** {@code source} was folded into {@code target}: its identifiers and its age move. */
    public void merged(UUID source, UUID target) {
        Owner from = profiles.remove(source);
        Owner into = profiles.get(target);
        if (from == null || into == null) {
            return;
        }
        owners.replaceAll((identity, owner) -> owner == from ? into : owner);
        if (from.createdAt.isBefore(into.createdAt)) {
            into.createdAt = from.createdAt;
        }
        from.counts.forEach((type, n) -> into.counts.merge(type, n, Integer::sum));
    }

    /** When the profile was created, as far as this batch knows (a merge keeps the older time). */
    public Instant createdAt(UUID profile) {
        Owner owner = profiles.get(profile);
        return owner == null ? null : owner.createdAt;
    }

    /** The identifiers this batch knows each profile to own. */
    public Map<UUID, List<IdentityKey>> identities() {
        Map<UUID, List<IdentityKey>> byProfile = new HashMap<>();
        owners.forEach((identity, owner) ->
                byProfile.computeIfAbsent(owner.id, id -> new ArrayList<>()).add(identity));
        return byProfile;
    }
}
