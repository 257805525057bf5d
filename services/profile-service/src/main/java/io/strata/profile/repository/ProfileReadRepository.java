package io.strata.profile.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.EventCountEntity;
import io.strata.profile.domain.IdentityEntity;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.ProfileEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Reads of profiles; every query is scoped by tenant. */
@ApplicationScoped
public class ProfileReadRepository {

    public Uni<ProfileEntity> find(String tenant, UUID id) {
        return Panache.getSession()
                .chain(s -> s.createSelectionQuery(
                                "from ProfileEntity where tenant = :tenant and id = :id", ProfileEntity.class)
                        .setParameter("tenant", tenant)
                        .setParameter("id", id)
                        .getSingleResultOrNull());
    }

    /** The profile a merged-away id now lives on, or null. */
    public Uni<UUID> mergedInto(String tenant, UUID id) {
        return Panache.getSession()
                .chain(s -> s.createNativeQuery(
                                "select cast(into_id as text) from profile_merges where tenant = :tenant and merged_id = :id",
                                String.class)
                        .setParameter("tenant", tenant)
                        .setParameter("id", id)
                        .getSingleResultOrNull())
                .map(into -> into == null ? null : UUID.fromString(into));
    }

    public Uni<UUID> owner(String tenant, IdentityKey identity) {
        return Panache.getSession()
                .chain(s -> s.createSelectionQuery(
                                "select profileId from IdentityEntity"
                                        + " where tenant = :tenant and type = :type and value = :value",
                                UUID.class)
                        .setParameter("tenant", tenant)
                        .setParameter("type", identity.type().name())
                        .setParameter("value", identity.value())
                        .getSingleResultOrNull());
    }

    /** The profile's traits as a JSON object's text. */
    public Uni<String> traits(UUID profile) {
        return Panache.getSession()
                .chain(s -> s.createNativeQuery(
                                "select cast(traits as text) from profiles where id = :id", String.class)
                        .setParameter("id", profile)
                        .getSingleResultOrNull());
    }

    public Uni<List<IdentityEntity>> identities(UUID profile) {
        return Panache.getSession()
                .chain(s -> s.createSelectionQuery(
                                "from IdentityEntity where profileId = :id order by id", IdentityEntity.class)
                        .setParameter("id", profile)
                        .getResultList());
    }

    public Uni<List<EventCountEntity>> counts(UUID profile) {
        return Panache.getSession()
                .chain(s -> s.createSelectionQuery(
                                "from EventCountEntity where profileId = :id order by eventName",
                                EventCountEntity.class)
                        .setParameter("id", profile)
                        .getResultList());
    }
}
