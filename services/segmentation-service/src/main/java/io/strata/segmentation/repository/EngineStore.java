package io.strata.segmentation.repository;

import io.smallrye.mutiny.Uni;
import io.strata.segmentation.rules.FieldType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the engine stores: the members it announced, with the records announcing them (the outbox),
 * where it is in the feed, and the versions its audiences were evaluated with — all of one write in
 * one transaction, so a restarted owner resumes exactly where its announcements stopped.
 */
@ApplicationScoped
public class EngineStore {

    /** A profile entered or left an audience. */
    public record MemberChange(String tenant, String segment, String profileId, int partition, boolean entered) {}

    /** A partition's audience evaluated with that version. */
    public record Applied(int partition, String tenant, String segment, long version) {}

    /** A stored member. */
    public record Member(String tenant, String segment, String profileId) {}

    /** One write of the engine. */
    public record Write(
            List<MemberChange> members,
            byte[] outbox,
            int records,
            Map<String, Map<Integer, Long>> offsets,
            List<Applied> applied,
            Map<String, Set<String>> changed,
            Map<String, Set<String>> evaluated) {}

    /**
     * The first key of the advisory lock per partition (the second) that a snapshot's save holds
     * shared and forgetting the partition holds alone: a save that began before a partition was
     * forgotten ends first, and one that begins after finds its stored offsets gone. The writes of
     * the feed do not take it.
     */
    private static final int SNAPSHOT_LOCK = 0x534E4150;

    /** What is stored per partition, forgotten with it (the outbox is not: its records still go out). */
    private static final List<String> PARTITION_TABLES = List.of(
            "segment_members",
            "feed_offsets",
            "partition_segments",
            "partition_snapshots",
            "partition_snapshot_chunks");

    private final Pool pool;

    public EngineStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> store(Write write) {
        return pool.withTransaction(conn -> {
            Uni<Void> chain = members(conn, write.members());
            if (write.records() > 0) {
                chain = chain.chain(
                        () -> conn.preparedQuery("insert into membership_outbox (payload, records) values ($1, $2)")
                                .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(write.outbox()), write.records()))
                                .replaceWithVoid());
            }
            for (Map.Entry<String, Map<Integer, Long>> topic : write.offsets().entrySet()) {
                for (Map.Entry<Integer, Long> offset : topic.getValue().entrySet()) {
                    chain = chain.chain(() -> conn.preparedQuery("insert into feed_offsets (topic, partition,"
                                    + " next_offset) values ($1, $2, $3) on conflict (topic, partition)"
                                    + " do update set next_offset = excluded.next_offset")
                            .execute(Tuple.of(topic.getKey(), offset.getKey(), offset.getValue()))
                            .replaceWithVoid());
                }
            }
            for (Applied applied : write.applied()) {
                chain = chain.chain(() -> conn.preparedQuery("insert into partition_segments (partition, tenant,"
                                + " segment_id, version) values ($1, $2, $3, $4) on conflict"
                                + " (partition, tenant, segment_id) do update set version = excluded.version")
                        .execute(Tuple.of(applied.partition(), applied.tenant(), applied.segment(), applied.version()))
                        .replaceWithVoid());
            }
            chain = chain.chain(() -> touch(conn, write.changed(), "last_change_at"));
            chain = chain.chain(() -> touch(conn, write.evaluated(), "last_full_evaluation_at"));
            return chain;
        });
    }

    private static Uni<Void> members(SqlConnection conn, List<MemberChange> changes) {
        // a profile may enter and leave an audience within one write: its last change stands
        Map<Member, MemberChange> last = new LinkedHashMap<>();
        for (MemberChange change : changes) {
            last.put(new Member(change.tenant(), change.segment(), change.profileId()), change);
        }
        List<MemberChange> entered =
                last.values().stream().filter(MemberChange::entered).toList();
        List<MemberChange> left =
                last.values().stream().filter(c -> !c.entered()).toList();
        Uni<Void> chain = Uni.createFrom().voidItem();
        if (!left.isEmpty()) {
            chain = chain.chain(() -> conn.preparedQuery("delete from segment_members where (tenant, segment_id,"
                            + " profile_id) in (select * from unnest($1::text[], $2::text[], $3::text[]))")
                    .execute(Tuple.of(
                            left.stream().map(MemberChange::tenant).toArray(String[]::new),
                            left.stream().map(MemberChange::segment).toArray(String[]::new),
                            left.stream().map(MemberChange::profileId).toArray(String[]::new)))
                    .replaceWithVoid());
        }
        if (!entered.isEmpty()) {
            chain = chain.chain(() -> conn.preparedQuery("insert into segment_members (tenant, segment_id, profile_id,"
                            + " partition) select * from unnest($1::text[], $2::text[], $3::text[], $4::int[])"
                            + " on conflict do nothing")
                    .execute(Tuple.of(
                            entered.stream().map(MemberChange::tenant).toArray(String[]::new),
                            entered.stream().map(MemberChange::segment).toArray(String[]::new),
                            entered.stream().map(MemberChange::profileId).toArray(String[]::new),
                            entered.stream().map(MemberChange::partition).toArray(Integer[]::new)))
                    .replaceWithVoid());
        }
        return chain;
    }

    private static Uni<Void> touch(SqlConnection conn, Map<String, Set<String>> segments, String column) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Map.Entry<String, Set<String>> tenant : segments.entrySet()) {
            chain = chain.chain(() -> conn.preparedQuery("update segments set " + column + " = now()"
                            + " where tenant = $1 and id = any($2::text[])")
                    .execute(Tuple.of(tenant.getKey(), tenant.getValue().toArray(String[]::new)))
                    .replaceWithVoid());
        }
        return chain;
    }

    /**
     * Forgets everything stored of a partition ({@link #PARTITION_TABLES}): its feed no longer holds
     * what it was computed from.
     */
    public Uni<Void> discard(int partition) {
        return pool.withTransaction(connection -> {
            Uni<Void> chain = connection
                    .preparedQuery("select pg_advisory_xact_lock($1, $2)")
                    .execute(Tuple.of(SNAPSHOT_LOCK, partition))
                    .replaceWithVoid();
            for (String table : PARTITION_TABLES) {
                chain = chain.chain(() -> connection
                        .preparedQuery("delete from " + table + " where partition = $1")
                        .execute(Tuple.of(partition))
                        .replaceWithVoid());
            }
            return chain;
        });
    }

    /** A partition's stored snapshot: its tables hold every record before {@code offsets}. */
    public record Snapshot(
            Map<String, Long> offsets, Instant takenAt, int format, long checksum, long bytes, List<byte[]> chunks) {}

    /**
     * Replaces the partition's snapshot, chunks and all, in one transaction; false (nothing
     * written) when the offsets stored with the partition's members are behind the snapshot's (the
     * partition was forgotten meanwhile: its feed was made anew), so a snapshot never lies beyond
     * what was stored.
     */
    public Uni<Boolean> saveSnapshot(
            int partition, Map<String, Long> offsets, int format, List<byte[]> chunks, long checksum, long bytes) {
        String[] topics = offsets.keySet().toArray(String[]::new);
        Long[] next = new Long[topics.length];
        for (int i = 0; i < topics.length; i++) {
            next[i] = offsets.get(topics[i]);
        }
        return pool.withTransaction(connection -> connection
                .preparedQuery("select pg_advisory_xact_lock_shared($1, $2)")
                .execute(Tuple.of(SNAPSHOT_LOCK, partition))
                .chain(() -> connection
                        .preparedQuery("select topic, next_offset from feed_offsets where partition = $1")
                        .execute(Tuple.of(partition)))
                .chain(rows -> {
                    Map<String, Long> stored = new HashMap<>();
                    for (Row row : rows) {
                        stored.put(row.getString(0), row.getLong(1));
                    }
                    for (Map.Entry<String, Long> offset : offsets.entrySet()) {
                        if (offset.getValue() > stored.getOrDefault(offset.getKey(), 0L)) {
                            return Uni.createFrom().item(false);
                        }
                    }
                    Uni<Void> chain = connection
                            .preparedQuery("delete from partition_snapshot_chunks where partition = $1")
                            .execute(Tuple.of(partition))
                            .replaceWithVoid();
                    // one chunk a statement, its buffer made when it is sent
                    for (int i = 0; i < chunks.size(); i++) {
                        int chunk = i;
                        chain = chain.chain(() -> connection
                                .preparedQuery("insert into partition_snapshot_chunks (partition, chunk, data)"
                                        + " values ($1, $2, $3)")
                                .execute(Tuple.of(
                                        partition, chunk, io.vertx.core.buffer.Buffer.buffer(chunks.get(chunk))))
                                .replaceWithVoid());
                    }
                    return chain.chain(() -> connection
                                    .preparedQuery("insert into partition_snapshots (partition, topics, next_offsets,"
                                            + " taken_at, format, chunks, bytes, checksum)"
                                            + " values ($1, $2, $3, now(), $4, $5, $6, $7)"
                                            + " on conflict (partition) do update set topics = excluded.topics,"
                                            + " next_offsets = excluded.next_offsets, taken_at = excluded.taken_at,"
                                            + " format = excluded.format, chunks = excluded.chunks,"
                                            + " bytes = excluded.bytes, checksum = excluded.checksum")
                                    .execute(Tuple.from(
                                            List.of(partition, topics, next, format, chunks.size(), bytes, checksum))))
                            .replaceWith(true);
                }));
    }

    /**
     * The partition's stored snapshot, or null: its header and chunks read in one repeatable-read
     * transaction, so a snapshot replaced meanwhile is read whole, before or after.
     */
    public Uni<Snapshot> snapshot(int partition) {
        return pool.withTransaction(connection -> connection
                .query("set transaction isolation level repeatable read")
                .execute()
                .chain(() -> connection
                        .preparedQuery("select topics, next_offsets, taken_at, format, chunks, bytes, checksum"
                                + " from partition_snapshots where partition = $1")
                        .execute(Tuple.of(partition)))
                .chain(header -> {
                    if (header.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row row = header.iterator().next();
                    String[] topics = row.getArrayOfStrings("topics");
                    Long[] next = row.getArrayOfLongs("next_offsets");
                    Map<String, Long> offsets = new HashMap<>();
                    for (int i = 0; i < topics.length; i++) {
                        offsets.put(topics[i], next[i]);
                    }
                    Instant takenAt = row.getOffsetDateTime("taken_at").toInstant();
                    int format = row.getInteger("format");
                    int chunks = row.getInteger("chunks");
                    long bytes = row.getLong("bytes");
                    long checksum = row.getLong("checksum");
                    Uni<List<byte[]>> read = Uni.createFrom().item(new ArrayList<>(chunks));
                    for (int i = 0; i < chunks; i++) {
                        int chunk = i;
                        read = read.chain(list -> connection
                                .preparedQuery("select data from partition_snapshot_chunks"
                                        + " where partition = $1 and chunk = $2")
                                .execute(Tuple.of(partition, chunk))
                                .map(rows -> {
                                    for (Row data : rows) {
                                        list.add(data.getBuffer(0).getBytes());
                                    }
                                    return list;
                                }));
                    }
                    return read.map(list -> new Snapshot(offsets, takenAt, format, checksum, bytes, list));
                }));
    }

    /** Per feed topic, the next offset of the partition to apply (absent: from the start). */
    public Uni<Map<String, Long>> offsets(int partition) {
        return pool.preparedQuery("select topic, next_offset from feed_offsets where partition = $1")
                .execute(Tuple.of(partition))
                .map(rows -> {
                    Map<String, Long> out = new HashMap<>();
                    for (Row row : rows) {
                        out.put(row.getString(0), row.getLong(1));
                    }
                    return out;
                });
    }

    public Uni<List<Member>> members(int partition) {
        return pool.preparedQuery("select tenant, segment_id, profile_id from segment_members where partition = $1")
                .execute(Tuple.of(partition))
                .map(rows -> {
                    List<Member> out = new ArrayList<>();
                    for (Row row : rows) {
                        out.add(new Member(row.getString(0), row.getString(1), row.getString(2)));
                    }
                    return out;
                });
    }

    /** The versions the partition's audiences were evaluated with, by tenant and audience. */
    public Uni<Map<String, Map<String, Long>>> applied(int partition) {
        return pool.preparedQuery("select tenant, segment_id, version from partition_segments where partition = $1")
                .execute(Tuple.of(partition))
                .map(rows -> {
                    Map<String, Map<String, Long>> out = new HashMap<>();
                    for (Row row : rows) {
                        out.computeIfAbsent(row.getString(0), t -> new HashMap<>())
                                .put(row.getString(1), row.getLong(2));
                    }
                    return out;
                });
    }

    /** The tenants this service knows: those with audiences or with traits seen on the feed. */
    public Uni<List<String>> tenants() {
        return pool.query("select tenant from segments union select tenant from trait_types order by 1")
                .execute()
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    for (Row row : rows) {
                        out.add(row.getString(0));
                    }
                    return out;
                });
    }

    /** Every tenant's traits and their types. */
    public Uni<Map<String, Map<String, FieldType>>> traits() {
        return pool.query("select tenant, name, type from trait_types")
                .execute()
                .map(rows -> {
                    Map<String, Map<String, FieldType>> out = new HashMap<>();
                    for (Row row : rows) {
                        out.computeIfAbsent(row.getString(0), t -> new HashMap<>())
                                .put(
                                        row.getString(1),
                                        FieldType.valueOf(row.getString(2).toUpperCase(Locale.ROOT)));
                    }
                    return out;
                });
    }

    /** Records a trait's type unless another replica did first; the type that stands. */
    public Uni<FieldType> registerTrait(String tenant, String name, FieldType type) {
        return pool.preparedQuery(
                        "insert into trait_types (tenant, name, type) values ($1, $2, $3)" + " on conflict do nothing")
                .execute(Tuple.of(tenant, name, type.label()))
                .chain(() -> pool.preparedQuery("select type from trait_types where tenant = $1 and name = $2")
                        .execute(Tuple.of(tenant, name)))
                .map(rows ->
                        FieldType.valueOf(rows.iterator().next().getString(0).toUpperCase(Locale.ROOT)));
    }
}
