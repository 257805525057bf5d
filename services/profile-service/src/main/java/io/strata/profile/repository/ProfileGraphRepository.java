package io.strata.profile.repository;

import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.GraphOverlay;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.IncomingEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Writes of the identity graph and the behaviour aggregates, a batch of events at a time: each
 * statement takes arrays (one round trip for the whole batch) and upserts, so concurrent writers
 * and redeliveries cannot lose an increment. Every method runs on the caller's connection, inside
 * the caller's transaction.
 */
@ApplicationScoped
public class ProfileGraphRepository {

    private final Pool pool;

    public ProfileGraphRepository(Pool pool) {
        this.pool = pool;
    }

    /** Runs the work in one transaction. */
    public <T> Uni<T> inTransaction(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work);
    }

    /**
     * Records the events as applied; emits the keys ({@code tenant/source/messageId}) that were
     * not applied before (a redelivery is not among them).
     */
    public Uni<Set<String>> claim(SqlConnection conn, List<IncomingEvent> events, Instant now) {
        int n = events.size();
        String[] tenants = new String[n];
        String[] sources = new String[n];
        String[] messages = new String[n];
        for (int i = 0; i < n; i++) {
            tenants[i] = events.get(i).tenant();
            sources[i] = events.get(i).sourceId();
            messages[i] = events.get(i).messageId();
        }
        return conn.preparedQuery("""
                insert into processed_events (tenant, source_id, message_id, processed_at)
                select t, s, m, $4::timestamptz from unnest($1::text[], $2::text[], $3::text[]) as k(t, s, m)
                on conflict do nothing
                returning tenant, source_id, message_id""")
                .execute(Tuple.of(tenants, sources, messages, utc(now)))
                .map(rows -> {
                    Set<String> fresh = new HashSet<>();
                    for (Row row : rows) {
                        fresh.add(key(row.getString(0), row.getString(1), row.getString(2)));
                    }
                    return fresh;
                });
    }

    public static String key(String tenant, String source, String messageId) {
        return tenant + '/' + source + '/' + messageId;
    }

    /** Who owns the identifiers now: each with its profile's age and user id. */
    public Uni<List<GraphOverlay.Owned>> owners(SqlConnection conn, String tenant, Set<IdentityKey> identities) {
        if (identities.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        String[] types = new String[identities.size()];
        String[] values = new String[identities.size()];
        int i = 0;
        for (IdentityKey identity : identities) {
            types[i] = identity.type().name();
            values[i++] = identity.value();
        }
        return conn.preparedQuery("""
                select i.type, i.value, i.profile_id, p.created_at,
                       (select u.value from profile_identities u
                         where u.profile_id = i.profile_id and u.type = 'USER_ID' order by u.id limit 1)
                from unnest($2::text[], $3::text[]) as k(type, value)
                join profile_identities i on i.tenant = $1 and i.type = k.type and i.value = k.value
                join profiles p on p.id = i.profile_id""").execute(Tuple.of(tenant, types, values)).map(rows -> {
            List<GraphOverlay.Owned> owned = new ArrayList<>();
            for (Row row : rows) {
                owned.add(new GraphOverlay.Owned(
                        new IdentityKey(IdentityType.valueOf(row.getString(0)), row.getString(1)),
                        row.getUUID(2),
                        row.getOffsetDateTime(3).toInstant(),
                        row.getString(4)));
            }
            return owned;
        });
    }

    public Uni<Void> createProfiles(SqlConnection conn, String tenant, List<UUID> ids, List<Instant> createdAt) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("""
                insert into profiles (id, tenant, created_at, updated_at)
                select id, $1::text, at, at from unnest($2::uuid[], $3::timestamptz[]) as p(id, at)""")
                .execute(Tuple.of(tenant, ids.toArray(UUID[]::new), utcs(createdAt)))
                .replaceWithVoid();
    }

    /** Gives the identifiers to the profiles; one another writer took first stays with it. */
    public Uni<Void> attach(
            SqlConnection conn, String tenant, List<UUID> profiles, List<IdentityKey> identities, Instant now) {
        if (profiles.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] types = new String[identities.size()];
        String[] values = new String[identities.size()];
        for (int i = 0; i < identities.size(); i++) {
            types[i] = identities.get(i).type().name();
            values[i] = identities.get(i).value();
        }
        return conn.preparedQuery("""
                insert into profile_identities (tenant, type, value, profile_id, created_at)
                select $1::text, type, value, profile, $5::timestamptz
                from unnest($2::text[], $3::text[], $4::uuid[]) with ordinality as a(type, value, profile, n)
                order by n
                on conflict (tenant, type, value) do nothing""")
                .execute(Tuple.of(tenant, types, values, profiles.toArray(UUID[]::new), utc(now)))
                .replaceWithVoid();
    }

    /**
     * Per profile: traits merged in (JSON objects as text; later keys win), first/last seen widened.
     */
    public Uni<Void> touch(
            SqlConnection conn,
            List<UUID> profiles,
            List<String> traits,
            List<Instant> first,
            List<Instant> last,
            Instant now) {
        if (profiles.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("""
                update profiles p set
                    traits = p.traits || cast(v.traits as jsonb),
                    first_seen = least(coalesce(p.first_seen, v.first), v.first),
                    last_seen = greatest(coalesce(p.last_seen, v.last), v.last),
                    updated_at = $5
                from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) as v(id, traits, first, last)
                where p.id = v.id""")
                .execute(Tuple.of(profiles.toArray(UUID[]::new), traits.toArray(String[]::new), utcs(first), utcs(last))
                        .addValue(utc(now)))
                .replaceWithVoid();
    }

    /** Adds to the behaviour counts: one row per (profile, event name) in the arrays. */
    public Uni<Void> count(
            SqlConnection conn,
            String tenant,
            List<UUID> profiles,
            List<String> names,
            List<Long> counts,
            List<Instant> first,
            List<Instant> last) {
        if (profiles.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("""
                insert into profile_event_counts (tenant, profile_id, event_name, count, first_at, last_at)
                select $1::text, profile, name, n, first, last
                from unnest($2::uuid[], $3::text[], $4::bigint[], $5::timestamptz[], $6::timestamptz[])
                     as c(profile, name, n, first, last)
                on conflict (profile_id, event_name) do update set
                    count = profile_event_counts.count + excluded.count,
                    first_at = least(profile_event_counts.first_at, excluded.first_at),
                    last_at = greatest(profile_event_counts.last_at, excluded.last_at)""")
                .execute(Tuple.of(
                                tenant,
                                profiles.toArray(UUID[]::new),
                                names.toArray(String[]::new),
                                counts.toArray(Long[]::new),
                                utcs(first))
                        .addValue(utcs(last)))
                .replaceWithVoid();
    }

    /**
     * Folds {@code source} into {@code target}: identifiers move, counts add up, the target's
     * traits win over the source's, first/last seen widen, and the old id keeps resolving.
     */
    public Uni<Void> merge(SqlConnection conn, String tenant, UUID source, UUID target, Instant now) {
        Tuple pair = Tuple.of(source, target);
        List<Map.Entry<String, Tuple>> statements = List.of(
                Map.entry("update profile_identities set profile_id = $2 where profile_id = $1", pair),
                Map.entry("""
                        insert into profile_event_counts (tenant, profile_id, event_name, count, first_at, last_at)
                        select tenant, $2, event_name, count, first_at, last_at
                        from profile_event_counts where profile_id = $1
                        on conflict (profile_id, event_name) do update set
                            count = profile_event_counts.count + excluded.count,
                            first_at = least(profile_event_counts.first_at, excluded.first_at),
                            last_at = greatest(profile_event_counts.last_at, excluded.last_at)""", pair),
                Map.entry("""
                        update profiles t set
                            traits = s.traits || t.traits,
                            first_seen = least(t.first_seen, s.first_seen),
                            last_seen = greatest(t.last_seen, s.last_seen),
                            created_at = least(t.created_at, s.created_at),
                            updated_at = $3
                        from profiles s where t.id = $2 and s.id = $1""", Tuple.of(source, target, utc(now))),
                Map.entry("update profile_merges set into_id = $2 where into_id = $1", pair),
                Map.entry(
                        "insert into profile_merges (tenant, merged_id, into_id, merged_at) values ($1, $2, $3, $4)",
                        Tuple.of(tenant, source, target, utc(now))),
                Map.entry("delete from profiles where id = $1", Tuple.of(source)));
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (var statement : statements) {
            chain = chain.chain(() -> conn.preparedQuery(statement.getKey())
                    .execute(statement.getValue())
                    .replaceWithVoid());
        }
        return chain;
    }

    /** Forgets the ids of events applied before {@code before}; returns how many. */
    public Uni<Integer> purgeProcessed(Instant before) {
        return pool.preparedQuery("delete from processed_events where processed_at < $1")
                .execute(Tuple.of(utc(before)))
                .map(rows -> rows.rowCount());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static OffsetDateTime[] utcs(List<Instant> instants) {
        return instants.stream().map(ProfileGraphRepository::utc).toArray(OffsetDateTime[]::new);
    }
}
