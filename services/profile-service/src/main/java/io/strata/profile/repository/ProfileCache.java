package io.strata.profile.repository;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.domain.IdentityKey;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collection;
import java.util.UUID;

/**
 * What this replica last committed of the profiles it wrote: their stored contents at their
 * version, and the owners of their identifiers. A batch touching them again reads neither from the
 * database. It is safe without being told of other writers: everything that changes a profile or
 * moves an identifier moves the profile's version on (or deletes it), and every write of a batch
 * names the version it expects, so a batch resolved against a stale entry fails as a conflict, its
 * entries are dropped ({@link #forget}) and it is resolved again from the database. Entries are put
 * only after their transaction committed.
 */
@ApplicationScoped
public class ProfileCache {

    /** A profile as committed: its contents at {@code contents.version()}, and when it was created. */
    public record Entry(ProfileGraphRepository.StoredContents contents, Instant createdAt) {}

    private record ProfileKey(String tenant, UUID id) {}

    private record OwnerKey(String tenant, IdentityKey identity) {}

    private final Cache<ProfileKey, Entry> profiles;
    private final Cache<OwnerKey, UUID> owners;
    private final boolean enabled;

    public ProfileCache(ProfileConfig config) {
        int size = config.identity().cachedProfiles();
        this.enabled = size > 0;
        this.profiles = Caffeine.newBuilder().maximumSize(Math.max(size, 1)).build();
        this.owners = Caffeine.newBuilder().maximumSize(Math.max(size, 1) * 4L).build();
    }

    /** The profile owning the identifier, as far as this replica knows, with its entry; else null. */
    public Owned owner(String tenant, IdentityKey identity) {
        if (!enabled) {
            return null;
        }
        UUID owner = owners.getIfPresent(new OwnerKey(tenant, identity));
        if (owner == null) {
            return null;
        }
        Entry entry = profiles.getIfPresent(new ProfileKey(tenant, owner));
        return entry == null ? null : new Owned(owner, entry);
    }

    public record Owned(UUID profile, Entry entry) {}

    public Entry profile(String tenant, UUID id) {
        return enabled ? profiles.getIfPresent(new ProfileKey(tenant, id)) : null;
    }

    /** A committed profile, with identifiers it owns (added to those known). */
    public void put(String tenant, Entry entry, Collection<IdentityKey> identities) {
        if (!enabled) {
            return;
        }
        UUID id = entry.contents().id();
        profiles.put(new ProfileKey(tenant, id), entry);
        for (IdentityKey identity : identities) {
            owners.put(new OwnerKey(tenant, identity), id);
        }
    }

    /** A profile that no longer exists (merged away, deleted). */
    public void remove(String tenant, UUID id) {
        profiles.invalidate(new ProfileKey(tenant, id));
    }

    /** Forgets the profiles and identifiers (a write failed or another writer changed them). */
    public void forget(String tenant, Collection<UUID> ids, Collection<IdentityKey> identities) {
        for (UUID id : ids) {
            profiles.invalidate(new ProfileKey(tenant, id));
        }
        for (IdentityKey identity : identities) {
            owners.invalidate(new OwnerKey(tenant, identity));
        }
    }
}
