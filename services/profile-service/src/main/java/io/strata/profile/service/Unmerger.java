package io.strata.profile.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.kafka.Keys;
import io.strata.platform.outbox.OutboxRecords;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.consent.Consents;
import io.strata.profile.domain.Behaviour;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.IncomingEvent;
import io.strata.profile.domain.ProfileState;
import io.strata.profile.domain.Traits;
import io.strata.profile.mapping.EventMapper;
import io.strata.profile.mapping.FeedMapper;
import io.strata.profile.messaging.OutboxRelay;
import io.strata.profile.repository.ProfileGraphRepository;
import io.strata.profile.tags.Catalog;
import io.strata.profile.tags.ProfileTags;
import io.strata.profile.tags.TagCatalogs;
import io.strata.profile.tags.TagInputs;
import io.strata.proto.profile.v1.EventRef;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Undoes a merge. The merged profile comes back under its old id with the identifiers it brought;
 * its events go back with it: those applied to it (or to profiles merged into it before), and those
 * applied to the surviving profile since the merge that came only through identifiers it brought.
 * Both sides' traits, behaviour, counts and rule tags are computed again from their events in the
 * event log; manual, imported and model tags and the consent stay with the surviving profile (a
 * restored profile starts without consent: nobody stated any for it alone). One transaction, with
 * both sides' change records ({@code ProfileUnmerged}, each with its whole profile).
 */
@ApplicationScoped
public class Unmerger {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Pool pool;
    private final ProfileGraphRepository graph;
    private final TagCatalogs catalogs;
    private final io.strata.profile.repository.ProfileCache cache;
    private final OutboxRelay relay;
    private final ProfileConfig config;
    private final ZoneId zone;
    private final Clock clock = Clock.systemUTC();

    public Unmerger(
            Pool pool,
            ProfileGraphRepository graph,
            TagCatalogs catalogs,
            io.strata.profile.repository.ProfileCache cache,
            OutboxRelay relay,
            ProfileConfig config) {
        this.pool = pool;
        this.graph = graph;
        this.catalogs = catalogs;
        this.cache = cache;
        this.relay = relay;
        this.config = config;
        this.zone = config.timeZone();
    }

    /** The two profiles after the unmerge, and how many events went back to the restored one. */
    public record Outcome(UUID profile, UUID restored, int eventsMoved) {}

    /** The merge of record, as the history has it. */
    private record Merge(long id, long mergedVersion, List<IdentityKey> identities, Instant at) {}

    /** One logged event. */
    private record Logged(UUID profile, long seq, Instant appliedAt, IncomingEvent event) {}

    public Uni<Outcome> unmerge(String tenant, UUID profile, UUID merged, String by) {
        Instant now = clock.instant();
        // both profiles' versions move on and identifiers change owner
        cache.forget(tenant, List.of(profile, merged), List.of());
        return catalogs.get(tenant)
                .chain(catalog -> pool.withTransaction(conn -> conn.preparedQuery("""
                                select h.id, h.merged_version, cast(h.identities as text), h.merged_at, m.into_id
                                from profile_merge_history h
                                left join profile_merges m on m.tenant = h.tenant and m.merged_id = h.merged_id
                                where h.tenant = $1 and h.merged_id = $2 and h.unmerged_at is null
                                order by h.id desc limit 1
                                for update of h""")
                        .execute(Tuple.of(tenant, merged))
                        .chain(rows -> {
                            if (rows.size() == 0) {
                                throw Errors.notFound("no merge of profile " + merged + " is in force");
                            }
                            Row row = rows.iterator().next();
                            if (!profile.equals(row.getUUID(4))) {
                                throw Errors.notFound("profile " + merged + " is not merged into " + profile);
                            }
                            Merge merge = new Merge(
                                    row.getLong(0),
                                    row.getLong(1),
                                    ProfileGraphRepository.identities(row.getString(2)),
                                    row.getOffsetDateTime(3).toInstant());
                            return graph.lockContents(conn, tenant, List.of(profile))
                                    .chain(stored -> {
                                        if (stored.isEmpty()) {
                                            throw Errors.notFound("profile " + profile + " not found");
                                        }
                                        return split(conn, tenant, catalog, stored.get(0), merged, merge, by, now);
                                    });
                        })))
                .invoke(relay::wake);
    }

    private Uni<Outcome> split(
            SqlConnection conn,
            String tenant,
            Catalog catalog,
            ProfileGraphRepository.StoredContents survivor,
            UUID merged,
            Merge merge,
            String by,
            Instant now) {
        UUID profile = survivor.id();
        // the restored side: the merged profile and, through the history, every profile merged into it
        Uni<Set<UUID>> restoredFamily = conn.preparedQuery("""
                        with recursive family(id) as (
                            select $2::uuid
                            union
                            select h.merged_id from profile_merge_history h join family f on h.into_id = f.id
                            where h.tenant = $1 and h.unmerged_at is null)
                        select id from family""")
                .execute(Tuple.of(tenant, merged))
                .map(rows -> {
                    Set<UUID> ids = new HashSet<>();
                    rows.forEach(r -> ids.add(r.getUUID(0)));
                    return ids;
                });
        return restoredFamily.chain(family -> conn.preparedQuery("""
                                select l.profile_id, l.seq, l.applied_at, l.payload from profile_event_log l
                                where l.tenant = $1 and l.profile_id in (
                                    select $2::uuid union all
                                    select merged_id from profile_merges where tenant = $1 and into_id = $2)
                                """ + ProfileGraphRepository.LOG_ORDER)
                .execute(Tuple.of(tenant, profile))
                .chain(logRows -> conn.preparedQuery(
                                "select type, value from profile_identities where tenant = $1 and profile_id = $2")
                        .execute(Tuple.of(tenant, profile))
                        .chain(idRows -> {
                            List<Logged> events = new ArrayList<>();
                            for (Row r : logRows) {
                                events.add(new Logged(
                                        r.getUUID(0),
                                        r.getLong(1),
                                        r.getOffsetDateTime(2).toInstant(),
                                        event(r.getBuffer(3).getBytes())));
                            }
                            List<IdentityKey> current = new ArrayList<>();
                            idRows.forEach(r ->
                                    current.add(new IdentityKey(IdentityType.valueOf(r.getString(0)), r.getString(1))));
                            return write(
                                    conn, tenant, catalog, survivor, merged, merge, family, events, current, by, now);
                        })));
    }

    private Uni<Outcome> write(
            SqlConnection conn,
            String tenant,
            Catalog catalog,
            ProfileGraphRepository.StoredContents survivor,
            UUID merged,
            Merge merge,
            Set<UUID> family,
            List<Logged> events,
            List<IdentityKey> current,
            String by,
            Instant now) {
        UUID profile = survivor.id();
        int today = Behaviour.day(now, zone);
        Behaviour before = ProfileRewriter.state(survivor, zone).behaviour();
        long counted = before.events.values().stream().mapToLong(s -> s.n).sum();
        if (events.size() < counted) {
            throw Errors.precondition("profile " + profile + " counted " + counted + " events but the event log holds "
                    + events.size() + " (events applied before the log was kept): its merges cannot be undone");
        }
        Set<IdentityKey> brought = new HashSet<>(merge.identities());
        List<IdentityKey> moved = new ArrayList<>();
        List<IdentityKey> kept = new ArrayList<>();
        for (IdentityKey id : current) {
            (brought.contains(id) ? moved : kept).add(id);
        }
        Set<IdentityKey> keptSet = new HashSet<>(kept);
        Set<IdentityKey> movedSet = new HashSet<>(moved);

        ProfileState stay =
                fresh(profile, ProfileTags.parse(survivor.tags()), Consents.parse(survivor.consents()), kept);
        ProfileState back = fresh(merged, ProfileTags.empty(), Consents.parse(null), moved);
        List<EventRef> movedEvents = new ArrayList<>();
        List<Long> relabel = new ArrayList<>();
        Instant restoredCreated = null;
        for (Logged logged : events) {
            boolean goesBack = family.contains(logged.profile()) || cameThrough(logged, merge, movedSet, keptSet);
            ProfileState side = goesBack ? back : stay;
            side.apply(logged.event(), traits(logged.event()), zone, today);
            if (goesBack) {
                movedEvents.add(EventRef.newBuilder()
                        .setSourceId(logged.event().sourceId())
                        .setMessageId(logged.event().messageId())
                        .build());
                if (!family.contains(logged.profile())) {
                    relabel.add(logged.seq());
                }
                if (restoredCreated == null || logged.appliedAt().isBefore(restoredCreated)) {
                    restoredCreated = logged.appliedAt();
                }
            }
        }
        TagInputs.evaluate(catalog, stay, true, now, zone);
        TagInputs.evaluate(catalog, back, true, now, zone);
        long stayVersion = survivor.version() + 1;
        long backVersion = merge.mergedVersion() + 1;
        Instant created = restoredCreated == null ? merge.at() : restoredCreated;

        OutboxRecords records = new OutboxRecords();
        String topic = config.feed().profileChangesTopic();
        records.add(
                topic,
                Keys.profile(tenant, profile.toString()),
                FeedMapper.unmerged(
                                tenant,
                                profile,
                                stayVersion,
                                merged,
                                false,
                                FeedMapper.snapshot(stay, kept),
                                movedEvents,
                                now)
                        .toByteArray());
        records.add(
                topic,
                Keys.profile(tenant, merged.toString()),
                FeedMapper.unmerged(
                                tenant,
                                merged,
                                backVersion,
                                profile,
                                true,
                                FeedMapper.snapshot(back, moved),
                                movedEvents,
                                now)
                        .toByteArray());
        UUID[] familyIds = family.toArray(UUID[]::new);
        UUID[] others = family.stream().filter(id -> !id.equals(merged)).toArray(UUID[]::new);
        Outcome outcome = new Outcome(profile, merged, movedEvents.size());
        return conn.preparedQuery("""
                        insert into profiles (id, tenant, created_at, updated_at, version)
                        values ($1, $2, $3, $4, $5)""")
                .execute(Tuple.of(merged, tenant, utc(created), utc(now), backVersion))
                .chain(() -> writeContents(conn, tenant, stay, stayVersion, now))
                .chain(() -> writeContents(conn, tenant, back, backVersion, now))
                .chain(() -> moveIdentities(conn, tenant, profile, merged, moved))
                .chain(() -> ProfileGraphRepository.totals(conn, tenant, totals(before, stay, back)))
                .chain(() -> conn.preparedQuery(
                                "delete from profile_merges where tenant = $1 and merged_id = any($2::uuid[])")
                        .execute(Tuple.of(tenant, familyIds)))
                .chain(() -> conn.preparedQuery("""
                                insert into profile_merges (tenant, merged_id, into_id, merged_at)
                                select $1, id, $2, $3 from unnest($4::uuid[]) as m(id)""").execute(Tuple.of(tenant, merged, utc(now), others)))
                .chain(() -> conn.preparedQuery(
                                "update profile_merge_history set unmerged_at = $2, unmerged_by = $3 where id = $1")
                        .execute(Tuple.of(merge.id(), utc(now), by)))
                .chain(() -> conn.preparedQuery(
                                "update profile_event_log set profile_id = $2 where tenant = $1 and seq = any($3::bigint[])")
                        .execute(Tuple.of(tenant, merged, relabel.toArray(Long[]::new))))
                .chain(() -> graph.outbox(conn, tenant, records.size(), records.encode()))
                .replaceWith(outcome);
    }

    /**
     * Whether an event applied to the surviving side after the merge came only through identifiers
     * the merged profile brought (none of those staying carried it): it goes back with them.
     */
    private static boolean cameThrough(Logged logged, Merge merge, Set<IdentityKey> moved, Set<IdentityKey> kept) {
        if (logged.appliedAt().isBefore(merge.at())) {
            return false;
        }
        boolean through = false;
        for (IdentityKey id : logged.event().identities()) {
            if (kept.contains(id)) {
                return false;
            }
            through |= moved.contains(id);
        }
        return through;
    }

    private static ProfileState fresh(UUID id, ProfileTags tags, Consents consents, List<IdentityKey> identities) {
        Map<IdentityType, Integer> counts = new EnumMap<>(IdentityType.class);
        identities.forEach(i -> counts.merge(i.type(), 1, Integer::sum));
        return new ProfileState(id, Traits.empty(), new Behaviour(), null, null)
                .stored(tags, () -> consents, Integer.MIN_VALUE, counts);
    }

    private Uni<Void> writeContents(SqlConnection conn, String tenant, ProfileState state, long version, Instant now) {
        String behaviour;
        String times;
        try {
            behaviour = JSON.writeValueAsString(state.behaviour());
            times = JSON.writeValueAsString(state.traits().times());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a profile's contents cannot be written as JSON", e);
        }
        return conn.preparedQuery("""
                        update profiles set
                            traits = cast($3::text as jsonb), trait_times = cast($4::text as jsonb), behaviour = cast($5::text as jsonb),
                            tags = cast($6::text as jsonb), consents = cast($7::text as jsonb), identity_counts = cast($8::text as jsonb),
                            first_seen = $9, last_seen = $10, updated_at = $11, version = $12
                        where tenant = $1 and id = $2""")
                .execute(Tuple.from(new Object[] {
                    tenant,
                    state.id(),
                    state.traits().values().toString(),
                    times,
                    behaviour,
                    state.tags().json(),
                    state.consents().json(),
                    ProfileGraphRepository.countsJson(state.identityCounts()),
                    state.firstSeen() == null ? null : utc(state.firstSeen()),
                    state.lastSeen() == null ? null : utc(state.lastSeen()),
                    utc(now),
                    version
                }))
                .replaceWithVoid();
    }

    private static Uni<Void> moveIdentities(
            SqlConnection conn, String tenant, UUID from, UUID to, List<IdentityKey> identities) {
        return conn.preparedQuery("""
                        update profile_identities i set profile_id = $3
                        from unnest($4::text[], $5::text[]) as k(type, value)
                        where i.tenant = $1 and i.profile_id = $2 and i.type = k.type and i.value = k.value""")
                .execute(Tuple.of(
                        tenant,
                        from,
                        to,
                        identities.stream().map(i -> i.type().name()).toArray(String[]::new),
                        identities.stream().map(IdentityKey::value).toArray(String[]::new)))
                .replaceWithVoid();
    }

    /** What the split changes in the tenant's totals per event name (profiles having each name). */
    private static Map<String, long[]> totals(Behaviour before, ProfileState stay, ProfileState back) {
        Map<String, long[]> deltas = new java.util.HashMap<>();
        before.events.forEach((name, stats) -> {
            long[] d = deltas.computeIfAbsent(name, n -> new long[2]);
            d[0] -= stats.n;
            d[1]--;
        });
        for (ProfileState side : List.of(stay, back)) {
            side.behaviour().events.forEach((name, stats) -> {
                long[] d = deltas.computeIfAbsent(name, n -> new long[2]);
                d[0] += stats.n;
                d[1]++;
            });
        }
        deltas.values().removeIf(d -> d[0] == 0 && d[1] == 0);
        return deltas;
    }

    private static IncomingEvent event(byte[] payload) {
        try {
            return EventMapper.toIncoming(EventMapper.parse(payload), payload);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("a logged event is not readable: " + e.getMessage(), e);
        }
    }

    private static ObjectNode traits(IncomingEvent event) {
        if (event.traitsJson() == null) {
            return null;
        }
        try {
            return JSON.readTree(event.traitsJson()) instanceof ObjectNode object ? object : null;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a logged event's traits are not JSON", e);
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
