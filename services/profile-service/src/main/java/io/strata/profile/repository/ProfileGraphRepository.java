package io.strata.profile.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.IncomingEvent;
import io.strata.profile.domain.OwnedIdentity;

/**
 * Writes of the identity graph and the behaviour aggregates. Upserts are single SQL statements
 * so that concurrent writers and redeliveries cannot lose an increment. Must run inside a
 * transaction opened by the caller.
 */
@ApplicationScoped
public class ProfileGraphRepository {

    /** Records the event as applied; false when it already was (a redelivery). */
    public Uni<Boolean> markProcessed(IncomingEvent event, Instant now) {
        return update("""
                insert into processed_events (tenant, source_id, message_id, processed_at)
                values (:tenant, :source, :message, :now)
                on conflict do nothing""",
                Map.of("tenant", event.tenant(), "source", event.sourceId(), "message", event.messageId(),
                        "now", utc(now)))
                .map(rows -> rows > 0);
    }

    /** The profiles that already own any of the identifiers, oldest profile first. */
    public Uni<List<OwnedIdentity>> owners(String tenant, List<IdentityKey> identities) {
        if (identities.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        StringBuilder pairs = new StringBuilder();
        for (int i = 0; i < identities.size(); i++) {
            pairs.append(i == 0 ? "" : ", ").append("(:t").append(i).append(", :v").append(i).append(')');
        }
        String sql = """
                select i.type, i.value, cast(i.profile_id as text),
                       (select u.value from profile_identities u
                         where u.profile_id = i.profile_id and u.type = 'USER_ID' order by u.id limit 1)
                from profile_identities i join profiles p on p.id = i.profile_id
                where i.tenant = :tenant and (i.type, i.value) in (%s)
                order by p.created_at, p.id""".formatted(pairs);
        return session().chain(s -> {
            var query = s.createNativeQuery(sql, Object[].class).setParameter("tenant", tenant);
            for (int i = 0; i < identities.size(); i++) {
                query.setParameter("t" + i, identities.get(i).type().name());
                query.setParameter("v" + i, identities.get(i).value());
            }
            return query.getResultList();
        }).map(rows -> {
            List<OwnedIdentity> owned = new ArrayList<>(rows.size());
            List<UUID> order = new ArrayList<>();
            for (Object[] row : rows) {
                UUID owner = UUID.fromString((String) row[2]);
                if (!order.contains(owner)) {
                    order.add(owner);
                }
                owned.add(new OwnedIdentity(new IdentityKey(IdentityType.valueOf((String) row[0]), (String) row[1]),
                        owner, (String) row[3], order.indexOf(owner)));
            }
            return owned;
        });
    }

    public Uni<UUID> create(String tenant, Instant now) {
        UUID id = UUID.randomUUID();
        return update("""
                insert into profiles (id, tenant, created_at, updated_at)
                values (:id, :tenant, :now, :now)""",
                Map.of("id", id, "tenant", tenant, "now", utc(now)))
                .replaceWith(id);
    }

    /**
     * Folds {@code source} into {@code target}: identifiers move, counts add up, the target's
     * traits win over the source's, first/last seen widen, and the old id keeps resolving.
     */
    public Uni<Void> merge(String tenant, UUID source, UUID target, Instant now) {
        List<String> statements = List.of(
                "update profile_identities set profile_id = :target where profile_id = :source",
                """
                        insert into profile_event_counts (tenant, profile_id, event_name, count, first_at, last_at)
                        select tenant, :target, event_name, count, first_at, last_at
                        from profile_event_counts where profile_id = :source
                        on conflict (profile_id, event_name) do update set
                            count = profile_event_counts.count + excluded.count,
                            first_at = least(profile_event_counts.first_at, excluded.first_at),
                            last_at = greatest(profile_event_counts.last_at, excluded.last_at)""",
                """
                        update profiles t set
                            traits = s.traits || t.traits,
                            first_seen = least(t.first_seen, s.first_seen),
                            last_seen = greatest(t.last_seen, s.last_seen),
                            created_at = least(t.created_at, s.created_at),
                            updated_at = :now
                        from profiles s where t.id = :target and s.id = :source""",
                "update profile_merges set into_id = :target where into_id = :source",
                """
                        insert into profile_merges (tenant, merged_id, into_id, merged_at)
                        values (:tenant, :source, :target, :now)""",
                "delete from profiles where id = :source");
        Map<String, Object> params = Map.of("source", source, "target", target, "tenant", tenant, "now", utc(now));
        Uni<Integer> chain = Uni.createFrom().item(0);
        for (String sql : statements) {
            chain = chain.chain(ignored -> update(sql, params));
        }
        return chain.replaceWithVoid();
    }

    public Uni<Void> attach(String tenant, UUID profile, List<IdentityKey> identities, Instant now) {
        Uni<Integer> chain = Uni.createFrom().item(0);
        for (IdentityKey identity : identities) {
            chain = chain.chain(ignored -> update("""
                    insert into profile_identities (tenant, type, value, profile_id, created_at)
                    values (:tenant, :type, :value, :profile, :now)
                    on conflict (tenant, type, value) do nothing""",
                    Map.of("tenant", tenant, "type", identity.type().name(), "value", identity.value(),
                            "profile", profile, "now", utc(now))));
        }
        return chain.replaceWithVoid();
    }

    /** Merges traits (a JSON object, or null for none) and widens first/last seen. */
    public Uni<Void> touch(UUID profile, String traitsJson, Instant at, Instant now) {
        return update("""
                update profiles set
                    -- the pg client would send a String bound to jsonb as a JSON string: parse text instead
                    traits = traits || cast(cast(:traits as text) as jsonb),
                    first_seen = least(coalesce(first_seen, :at), :at),
                    last_seen = greatest(coalesce(last_seen, :at), :at),
                    updated_at = :now
                where id = :id""",
                Map.of("traits", traitsJson == null ? "{}" : traitsJson, "at", utc(at), "now", utc(now),
                        "id", profile))
                .replaceWithVoid();
    }

    public Uni<Void> count(String tenant, UUID profile, String eventName, Instant at) {
        return update("""
                insert into profile_event_counts (tenant, profile_id, event_name, count, first_at, last_at)
                values (:tenant, :profile, :name, 1, :at, :at)
                on conflict (profile_id, event_name) do update set
                    count = profile_event_counts.count + 1,
                    first_at = least(profile_event_counts.first_at, excluded.first_at),
                    last_at = greatest(profile_event_counts.last_at, excluded.last_at)""",
                Map.of("tenant", tenant, "profile", profile, "name", eventName, "at", utc(at)))
                .replaceWithVoid();
    }

    /** Forgets the ids of events applied before {@code before}; returns how many. */
    public Uni<Integer> purgeProcessed(Instant before) {
        return update("delete from processed_events where processed_at < :before", Map.of("before", utc(before)));
    }

    private static Uni<Mutiny.Session> session() {
        return Panache.getSession();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /** Runs a statement, binding the parameters it names. */
    private static Uni<Integer> update(String sql, Map<String, Object> params) {
        return session().chain(s -> {
            var query = s.createNativeQuery(sql);
            params.forEach((name, value) -> {
                if (sql.matches("(?s).*:" + name + "\\b.*")) {
                    query.setParameter(name, value);
                }
            });
            return query.executeUpdate();
        });
    }
}
