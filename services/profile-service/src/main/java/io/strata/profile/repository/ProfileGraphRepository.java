package io.strata.profile.repository;

import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.GraphOverlay;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.IncomingEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
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
 * statement takes arrays (one round trip for the whole batch). Every method runs on the caller's
 * connection, inside the caller's transaction, and names the tenant in every statement.
 *
 * <p>Several consumers write at once (replicas, or consumers of one replica), and a batch is
 * resolved against the graph as it read it. So every write checks that what it was decided on still
 * holds, and throws {@link ConcurrentChangeException} when it does not: a profile is written only
 * at the version the batch read (each write moves the version on), an identifier is claimed only
 * if nobody claimed it first, and a merge locks both profiles at the versions it read. The batch is
 * then rolled back and resolved again. (Unique and foreign-key violations that slip between the
 * statements, and deadlocks, have the same cure; the consumer retries them alike.)
 */
@ApplicationScoped
public class ProfileGraphRepository {

    /**
     * The order a profile's logged events were applied in, for replaying them: by event time, then
     * by the batch that applied them, then within the batch. {@code seq} alone is not enough: the
     * identity column hands each connection its own cached block of values, so two batches on two
     * connections may hold them in the reverse of their order, and of two identifies in one second
     * the older value would win the trait.
     */
    public static final String LOG_ORDER = "order by event_at, applied_at, seq";

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

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

    /** Who owns the identifiers now: each with its profile's age, identifiers per type and version. */
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
                select i.type, i.value, i.profile_id, p.created_at, p.version, cast(p.identity_counts as text)
                from unnest($2::text[], $3::text[]) as k(type, value)
                join profile_identities i on i.tenant = $1 and i.type = k.type and i.value = k.value
                join profiles p on p.tenant = $1 and p.id = i.profile_id""").execute(Tuple.of(tenant, types, values)).map(rows -> {
            List<GraphOverlay.Owned> owned = new ArrayList<>();
            Map<UUID, Map<IdentityType, Integer>> counts = new java.util.HashMap<>();
            for (Row row : rows) {
                UUID profile = row.getUUID(2);
                owned.add(new GraphOverlay.Owned(
                        new IdentityKey(IdentityType.valueOf(row.getString(0)), row.getString(1)),
                        profile,
                        row.getOffsetDateTime(3).toInstant(),
                        counts.computeIfAbsent(profile, p -> counts(row.getString(5))),
                        row.getLong(4)));
            }
            return owned;
        });
    }

    /** New profiles, at version 0. */
    public Uni<Void> createProfiles(SqlConnection conn, String tenant, List<UUID> ids, List<Instant> createdAt) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("""
                insert into profiles (id, tenant, created_at, updated_at, version)
                select id, $1::text, at, at, 0 from unnest($2::uuid[], $3::timestamptz[]) as p(id, at)""")
                .execute(Tuple.of(tenant, ids.toArray(UUID[]::new), utcs(createdAt)))
                .replaceWithVoid();
    }

    /**
     * A profile's stored contents, as JSON text: traits, their times, behaviour, tags, consent; its
     * span, version, last write, and how many identifiers of each type it has.
     */
    public record StoredContents(
            UUID id,
            String traits,
            String traitTimes,
            String behaviour,
            Instant firstSeen,
            Instant lastSeen,
            String tags,
            String consents,
            long version,
            Instant updatedAt,
            Map<IdentityType, Integer> identityCounts) {}

    /** The contents of the profiles (those that exist). */
    public Uni<List<StoredContents>> contents(SqlConnection conn, String tenant, Set<UUID> ids) {
        return contents(conn, tenant, ids, "");
    }

    /** The contents of the profiles (those that exist), locked for this transaction (in id order). */
    public Uni<List<StoredContents>> lockContents(SqlConnection conn, String tenant, java.util.Collection<UUID> ids) {
        return contents(conn, tenant, ids, " order by p.id for update of p");
    }

    private Uni<List<StoredContents>> contents(
            SqlConnection conn, String tenant, java.util.Collection<UUID> ids, String suffix) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return conn.preparedQuery("""
                select p.id, cast(p.traits as text), cast(p.trait_times as text), cast(p.behaviour as text),
                       p.first_seen, p.last_seen, cast(p.tags as text), cast(p.consents as text), p.version,
                       p.updated_at, cast(p.identity_counts as text)
                from profiles p where p.tenant = $1 and p.id = any($2::uuid[])""" + suffix)
                .execute(Tuple.of(tenant, ids.toArray(UUID[]::new)))
                .map(rows -> {
                    List<StoredContents> contents = new ArrayList<>();
                    for (Row row : rows) {
                        contents.add(new StoredContents(
                                row.getUUID(0),
                                row.getString(1),
                                row.getString(2),
                                row.getString(3),
                                instant(row.getOffsetDateTime(4)),
                                instant(row.getOffsetDateTime(5)),
                                row.getString(6),
                                row.getString(7),
                                row.getLong(8),
                                instant(row.getOffsetDateTime(9)),
                                counts(row.getString(10))));
                    }
                    return contents;
                });
    }

    /**
     * The contents to write of one profile: JSON text (traits and their times, tags, consents null:
     * unchanged), and its span.
     */
    public record Contents(
            String traits,
            String traitTimes,
            String behaviour,
            Instant firstSeen,
            Instant lastSeen,
            String tags,
            String consents,
            String identityCounts) {}

    /**
     * Per profile, at the version the batch expects: its contents replaced by what the batch
     * computed from them, the version moved on.
     *
     * @throws ConcurrentChangeException (as the Uni's failure) when a profile is gone or at another version
     */
    public Uni<Void> touch(
            SqlConnection conn,
            String tenant,
            List<UUID> profiles,
            List<Long> versions,
            List<Contents> contents,
            Instant now) {
        if (profiles.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = profiles.size();
        String[] traits = new String[n];
        String[] times = new String[n];
        String[] behaviour = new String[n];
        String[] tags = new String[n];
        String[] consents = new String[n];
        String[] identityCounts = new String[n];
        OffsetDateTime[] first = new OffsetDateTime[n];
        OffsetDateTime[] last = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Contents c = contents.get(i);
            traits[i] = c.traits();
            times[i] = c.traitTimes();
            behaviour[i] = c.behaviour();
            tags[i] = c.tags();
            consents[i] = c.consents();
            identityCounts[i] = c.identityCounts();
            first[i] = c.firstSeen() == null ? null : utc(c.firstSeen());
            last[i] = c.lastSeen() == null ? null : utc(c.lastSeen());
        }
        return conn.preparedQuery("""
                update profiles p set
                    traits = coalesce(cast(v.traits as jsonb), p.traits),
                    trait_times = coalesce(cast(v.times as jsonb), p.trait_times),
                    behaviour = coalesce(cast(v.behaviour as jsonb), p.behaviour),
                    tags = coalesce(cast(v.tags as jsonb), p.tags),
                    consents = coalesce(cast(v.consents as jsonb), p.consents),
                    identity_counts = coalesce(cast(v.counts as jsonb), p.identity_counts),
                    first_seen = v.first,
                    last_seen = v.last,
                    updated_at = $9,
                    version = p.version + 1
                from unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
                            $8::timestamptz[], $10::text[], $11::text[], $12::text[])
                     as v(id, version, traits, times, behaviour, first, last, tags, consents, counts)
                where p.tenant = $1 and p.id = v.id and p.version = v.version""")
                .execute(Tuple.from(new Object[] {
                    tenant,
                    profiles.toArray(UUID[]::new),
                    versions.toArray(Long[]::new),
                    traits,
                    times,
                    behaviour,
                    first,
                    last,
                    utc(now),
                    tags,
                    consents,
                    identityCounts
                }))
                .map(RowSet::rowCount)
                .invoke(updated -> {
                    if (updated != profiles.size()) {
                        throw new ConcurrentChangeException((profiles.size() - updated)
                                + " profile(s) were written or merged away by another writer");
                    }
                })
                .replaceWithVoid();
    }

    /** The hashes among {@code hashes} that are suppressed (identifiers of deleted people). */
    public Uni<Set<String>> suppressed(SqlConnection conn, String tenant, java.util.Collection<String> hashes) {
        if (hashes.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return conn.preparedQuery("select hash from suppressions where tenant = $1 and hash = any($2::text[])")
                .execute(Tuple.of(tenant, hashes.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> found = new HashSet<>();
                    rows.forEach(r -> found.add(r.getString(0)));
                    return found;
                });
    }

    private static Map<IdentityType, Integer> counts(String json) {
        Map<IdentityType, Integer> counts = new java.util.EnumMap<>(IdentityType.class);
        if (json != null && !json.equals("{}")) {
            try {
                JSON.readTree(json)
                        .fields()
                        .forEachRemaining(e -> counts.put(
                                IdentityType.valueOf(e.getKey()), e.getValue().asInt()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(
                        "a profile's identity counts are not readable: " + e.getOriginalMessage(), e);
            }
        }
        return counts;
    }

    /** Identifiers per type as stored on the profile's row. */
    public static String countsJson(Map<IdentityType, Integer> counts) {
        var node = JSON.createObjectNode();
        counts.forEach((type, n) -> node.put(type.name(), n));
        return node.toString();
    }

    /** Records of the change feed (one write's, encoded), sent by the relay once this transaction committed. */
    public Uni<Void> outbox(SqlConnection conn, String tenant, int records, byte[] payload) {
        if (records == 0) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("insert into profile_outbox (tenant, records, payload) values ($1, $2, $3)")
                .execute(Tuple.of(tenant, records, io.vertx.core.buffer.Buffer.buffer(payload)))
                .replaceWithVoid();
    }

    /**
     * Gives the identifiers (each once) to the profiles.
     *
     * @throws ConcurrentChangeException (as the Uni's failure) when another writer claimed one first
     */
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
                .map(RowSet::rowCount)
                .invoke(inserted -> {
                    if (inserted != profiles.size()) {
                        throw new ConcurrentChangeException(
                                (profiles.size() - inserted) + " identifier(s) were claimed by another writer first");
                    }
                })
                .replaceWithVoid();
    }

    /**
     * Adds to the tenant's totals per event name: events, and profiles with at least one (each
     * delta as the batch or change counted it; summed when read).
     */
    public static Uni<Void> totals(SqlConnection conn, String tenant, Map<String, long[]> deltas) {
        if (deltas.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] names = new String[deltas.size()];
        Long[] events = new Long[deltas.size()];
        Long[] profiles = new Long[deltas.size()];
        int i = 0;
        for (var delta : new java.util.TreeMap<>(deltas).entrySet()) {
            names[i] = delta.getKey();
            events[i] = delta.getValue()[0];
            profiles[i++] = delta.getValue()[1];
        }
        return conn.preparedQuery("""
                        insert into event_totals (tenant, event_name, events, profiles)
                        select $1::text, name, e, p from unnest($2::text[], $3::bigint[], $4::bigint[]) as d(name, e, p)""")
                .execute(Tuple.of(tenant, names, events, profiles))
                .replaceWithVoid();
    }

    /**
     * Folds each tenant's deltas of event totals into one row per event name; emits how many rows
     * were folded. Deltas written meanwhile are left for the next time.
     */
    public Uni<Integer> compactTotals() {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        with folded as (delete from event_totals returning tenant, event_name, events, profiles)
                        insert into event_totals (tenant, event_name, events, profiles)
                        select tenant, event_name, sum(events), sum(profiles) from folded
                        group by tenant, event_name having sum(events) <> 0 or sum(profiles) <> 0""").execute().map(RowSet::rowCount));
    }

    /**
     * Folds {@code source} into {@code target}, both locked at the versions the batch read:
     * identifiers move, the older creation time stays, the target's version moves
     * on, and the old id keeps resolving. The contents (traits, behaviour, first and last seen) are
     * combined by the batch, which writes them with the target's next {@link #touch}. Emits the
     * identifiers that moved and the source's logged events (those logged under it and under the
     * profiles merged into it before), which the change feed announces again under the target.
     *
     * @throws ConcurrentChangeException (as the Uni's failure) when either is gone or at another version
     */
    public Uni<Merged> merge(
            SqlConnection conn,
            String tenant,
            UUID source,
            long sourceVersion,
            UUID target,
            long targetVersion,
            Instant now) {
        Tuple pair = Tuple.of(tenant, source, target);
        List<Map.Entry<String, Tuple>> statements = List.of(
                Map.entry("""
                        update profiles t set
                            created_at = least(t.created_at, s.created_at),
                            updated_at = $4,
                            version = t.version + 1
                        from profiles s
                        where t.tenant = $1 and t.id = $3 and s.tenant = $1 and s.id = $2""", Tuple.of(tenant, source, target, utc(now))),
                Map.entry("update profile_merges set into_id = $3 where tenant = $1 and into_id = $2", pair),
                Map.entry("""
                        insert into profile_merges (tenant, merged_id, into_id, merged_at)
                        values ($1, $2, $3, $4)""", Tuple.of(tenant, source, target, utc(now))),
                Map.entry("delete from profiles where tenant = $1 and id = $2", Tuple.of(tenant, source)));
        List<IdentityKey> moved = new ArrayList<>();
        Uni<Void> chain = lockAt(conn, tenant, Map.of(source, sourceVersion, target, targetVersion))
                .chain(() -> conn.preparedQuery("""
                                update profile_identities set profile_id = $3 where tenant = $1 and profile_id = $2
                                returning type, value""")
                        .execute(pair)
                        .invoke(rows -> rows.forEach(row ->
                                moved.add(new IdentityKey(IdentityType.valueOf(row.getString(0)), row.getString(1)))))
                        .replaceWithVoid());
        List<LoggedEvent> events = new ArrayList<>();
        // read before the merges into the source are pointed at the target; in the order applied (see
        // LOG_ORDER)
        chain = chain.chain(() -> conn.preparedQuery("""
                        select applied_at, payload from profile_event_log
                        where tenant = $1 and profile_id in (
                            select $2::uuid union all
                            select merged_id from profile_merges where tenant = $1 and into_id = $2)
                        """ + LOG_ORDER)
                .execute(Tuple.of(tenant, source))
                .invoke(rows -> rows.forEach(row -> events.add(new LoggedEvent(
                        row.getOffsetDateTime(0).toInstant(), row.getBuffer(1).getBytes()))))
                .replaceWithVoid());
        for (var statement : statements) {
            chain = chain.chain(() -> conn.preparedQuery(statement.getKey())
                    .execute(statement.getValue())
                    .replaceWithVoid());
        }
        // the history keeps what the merged profile brought, for an unmerge
        chain = chain.chain(() -> conn.preparedQuery("""
                        insert into profile_merge_history
                            (tenant, merged_id, into_id, merged_version, identities, merged_at)
                        values ($1, $2, $3, $4, cast($5::text as jsonb), $6)""")
                .execute(Tuple.from(
                        new Object[] {tenant, source, target, sourceVersion + 1, identitiesJson(moved), utc(now)}))
                .replaceWithVoid());
        return chain.map(ignored -> new Merged(moved, events));
    }

    /** What a merge moved: the identifiers, and the events logged under the merged profile's family. */
    public record Merged(List<IdentityKey> identities, List<LoggedEvent> events) {}

    /** An event of the event log: when it was applied, and its bytes as ingestion accepted them. */
    public record LoggedEvent(Instant appliedAt, byte[] payload) {}

    /** Identifiers as a JSON list of {type, value}. */
    public static String identitiesJson(List<IdentityKey> identities) {
        var list = JSON.createArrayNode();
        identities.forEach(i -> list.addObject().put("type", i.type().name()).put("value", i.value()));
        return list.toString();
    }

    /** Reads {@link #identitiesJson}. */
    public static List<IdentityKey> identities(String json) {
        List<IdentityKey> identities = new ArrayList<>();
        try {
            for (var node : JSON.readTree(json)) {
                identities.add(new IdentityKey(
                        IdentityType.valueOf(node.get("type").asText()),
                        node.get("value").asText()));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored identifiers are not readable: " + e.getOriginalMessage(), e);
        }
        return identities;
    }

    /** Applied events to log: the profile each was applied to, its time, its bytes. */
    public static final class EventLog {
        final List<UUID> profiles = new ArrayList<>();
        final List<Instant> at = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();

        public void add(UUID profile, Instant eventAt, byte[] payload) {
            profiles.add(profile);
            at.add(eventAt);
            payloads.add(payload);
        }

        /** What was added so far (this log starts empty again). */
        public EventLog take() {
            EventLog taken = new EventLog();
            taken.profiles.addAll(profiles);
            taken.at.addAll(at);
            taken.payloads.addAll(payloads);
            profiles.clear();
            at.clear();
            payloads.clear();
            return taken;
        }
    }

    /** Adds the events to the event log, in order. */
    public Uni<Void> log(SqlConnection conn, String tenant, EventLog log, Instant now) {
        if (log.profiles.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        io.vertx.core.buffer.Buffer[] payloads = new io.vertx.core.buffer.Buffer[log.payloads.size()];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = io.vertx.core.buffer.Buffer.buffer(log.payloads.get(i));
        }
        return conn.preparedQuery("""
                insert into profile_event_log (tenant, profile_id, event_at, applied_at, payload)
                select $1::text, profile, at, $4::timestamptz, payload
                from unnest($2::uuid[], $3::timestamptz[], $5::bytea[]) with ordinality as e(profile, at, payload, n)
                order by n""")
                .execute(Tuple.of(tenant, log.profiles.toArray(UUID[]::new), utcs(log.at), utc(now), payloads))
                .replaceWithVoid();
    }

    /** A merge or identifier the tenant's limits refused to a profile, met {@code times} times. */
    public record Refused(UUID profile, io.strata.profile.domain.Resolution.Refusal refusal, long times) {}

    /** Records refusals: one row per profile and identifier, counting how often. */
    public Uni<Void> refused(SqlConnection conn, String tenant, List<Refused> refused, Instant now) {
        if (refused.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = refused.size();
        UUID[] profiles = new UUID[n];
        String[] types = new String[n];
        String[] values = new String[n];
        UUID[] others = new UUID[n];
        String[] reasons = new String[n];
        Long[] times = new Long[n];
        for (int i = 0; i < n; i++) {
            Refused r = refused.get(i);
            profiles[i] = r.profile();
            types[i] = r.refusal().identity().type().name();
            values[i] = r.refusal().identity().value();
            others[i] = r.refusal().other();
            reasons[i] = r.refusal().reason();
            times[i] = r.times();
        }
        return conn.preparedQuery("""
                insert into identity_refusals
                    (tenant, profile_id, type, value, other_profile_id, reason, times, first_at, last_at)
                select $1::text, profile, type, value, other, reason, n, $8::timestamptz, $8::timestamptz
                from unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::bigint[])
                     as r(profile, type, value, other, reason, n)
                on conflict (tenant, profile_id, type, value) do update set
                    other_profile_id = excluded.other_profile_id,
                    reason = excluded.reason,
                    times = identity_refusals.times + excluded.times,
                    last_at = excluded.last_at""")
                .execute(Tuple.from(new Object[] {tenant, profiles, types, values, others, reasons, times, utc(now)}))
                .replaceWithVoid();
    }

    /** Locks the profiles (in id order), checking each is at the expected version. */
    private Uni<Void> lockAt(SqlConnection conn, String tenant, Map<UUID, Long> versions) {
        UUID[] ids = versions.keySet().toArray(UUID[]::new);
        return conn.preparedQuery("""
                select id, version from profiles where tenant = $1 and id = any($2::uuid[])
                order by id for update""")
                .execute(Tuple.of(tenant, ids))
                .invoke(rows -> {
                    int current = 0;
                    for (Row row : rows) {
                        if (row.getLong(1).equals(versions.get(row.getUUID(0)))) {
                            current++;
                        }
                    }
                    if (current != versions.size()) {
                        throw new ConcurrentChangeException(
                                "a profile to merge was written or merged away by another writer");
                    }
                })
                .replaceWithVoid();
    }

    /** Forgets the ids of events applied before {@code before}; returns how many. */
    public Uni<Integer> purgeProcessed(Instant before) {
        return pool.preparedQuery("delete from processed_events where processed_at < $1")
                .execute(Tuple.of(utc(before)))
                .map(RowSet::rowCount);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static OffsetDateTime[] utcs(List<Instant> instants) {
        return instants.stream().map(ProfileGraphRepository::utc).toArray(OffsetDateTime[]::new);
    }
}
