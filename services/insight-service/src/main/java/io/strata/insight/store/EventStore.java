package io.strata.insight.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;

/**
 * The analytical store of the events insight-service reads from the profile feed: Parquet files
 * (one set per flush, under {@code events/tenant=<tenant>/}) that DuckDB queries in process and that
 * Spark, or any engine reading Parquet, reads as they are. Beside them a small DuckDB database
 * ({@code meta.duckdb}) keeps, per feed partition, the offset the files reach, the profiles merged
 * into another on the same partition (their events are the survivor's), and the profiles gone
 * from here (deleted, or merged into a profile another partition serves).
 *
 * <p>Exactly once from an at-least-once feed: a flush writes each partition's staged events to
 * files named {@code part-<partition>-<firstOffset>-<lastOffset>-*.parquet}, moves them into place,
 * then records the partition's next offset. A crash between the two leaves files beyond the
 * recorded offset: opening the store deletes them, and the feed is read again from the recorded
 * offset. Records below it (redeliveries) are not staged.
 *
 * <p>It keeps where it is on the other two topics it reads as well (profile changes, audience
 * memberships), per partition, recorded after each flush: a store is read on from its own
 * positions, so a store that is new (or restored from a copy) reads again what it lacks, whatever
 * a consumer group committed. A partition whose topic was made anew is read from its beginning:
 * its events stay, set aside ({@link #restartEvents}); its members and position are forgotten
 * ({@link #forgetMembers}, {@link #forgetPosition}).
 *
 * <p>One thread (the feed loop) appends, flushes, aliases and forgets; any thread may query,
 * each through a connection of its own ({@link #openQuery()}).
 */
public final class EventStore implements AutoCloseable {

    /**
     * One applied event, with the columns the analyses read, its properties as JSON, the device type
     * and campaign source of its context, and the traits an identify sent, as JSON.
     */
    public record Row(
            String tenant,
            String profileId,
            String sourceId,
            String messageId,
            String name,
            Instant time,
            Double revenue,
            String orderId,
            String propertiesJson,
            String deviceType,
            String campaignSource,
            String traitsJson) {

        public Row(
                String tenant,
                String profileId,
                String sourceId,
                String messageId,
                String name,
                Instant time,
                Double revenue,
                String orderId,
                String propertiesJson) {
            this(
                    tenant,
                    profileId,
                    sourceId,
                    messageId,
                    name,
                    time,
                    revenue,
                    orderId,
                    propertiesJson,
                    null,
                    null,
                    null);
        }
    }

    /** The columns of the stored events, in the files' order (the query view reads an older file's missing ones as NULL). */
    static final String COLUMNS = "tenant, profile_id, source_id, message_id, name, ts, revenue, order_id, properties,"
            + " device_type, campaign_source, traits";

    private static final Pattern FILE = Pattern.compile("part-(\\d+)-(\\d+)-(\\d+)-(.*)\\.parquet");
    /** The prefix of a file set aside when its partition's topic was made anew ({@link #restartEvents}). */
    private static final String KEPT = "kept-";
    /** The suffix of a file compaction wrote: it holds every file of its folder and partition within its range. */
    private static final String COMPACTED = "c";

    private final Path dir;
    private final Path events;
    private final Connection meta;
    private final Connection staging;
    private final Map<Integer, Long> next = new HashMap<>();
    /** Positions on the changes and membership topics: recorded, and read since the last flush. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();

    private final Map<TopicPartition, Long> read = new HashMap<>();
    private final Map<Integer, long[]> staged = new TreeMap<>();
    private DuckDBAppender appender;
    private long stagedEvents;
    private final List<Staged> memberships = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

    /** A cost row a store of an earlier version kept (see {@link #legacyCosts()}). */
    public record LegacyCost(String tenant, java.time.LocalDate day, String channel, String creator, double cost) {}

    /**
     * The cost rows a store of an earlier version kept, before costs moved to the service's
     * database; none when it kept none (or they moved already).
     */
    public List<LegacyCost> legacyCosts() throws SQLException {
        List<LegacyCost> out = new ArrayList<>();
        try (Connection c = meta.unwrap(DuckDBConnection.class).duplicate();
                Statement s = c.createStatement()) {
            try (ResultSet tables = s.executeQuery("SELECT count(*) FROM duckdb_tables()"
                    + " WHERE database_name = current_database() AND table_name = 'costs'")) {
                tables.next();
                if (tables.getLong(1) == 0) {
                    return out;
                }
            }
            try (ResultSet r =
                    s.executeQuery("SELECT tenant, CAST(day AS VARCHAR), channel, creator, cost FROM costs")) {
                while (r.next()) {
                    out.add(new LegacyCost(
                            r.getString(1),
                            java.time.LocalDate.parse(r.getString(2)),
                            r.getString(3),
                            r.getString(4),
                            r.getDouble(5)));
                }
            }
        }
        return out;
    }

    /** Drops the table of {@link #legacyCosts()} once its rows are in the service's database; any thread. */
    public void dropLegacyCosts() throws SQLException {
        try (Connection c = meta.unwrap(DuckDBConnection.class).duplicate();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS costs");
        }
    }

    /** An audience's enter or exit of a profile, applied in the order read. */
    public record Membership(String tenant, String segmentId, String profileId, boolean entered, Instant at) {}

    /** A membership change and the feed partition it came from (null: none, as in tests). */
    private record Staged(Membership change, Integer partition) {}

    /** A partition of a topic the store keeps its position on. */
    private record TopicPartition(String topic, int partition) {}

    private EventStore(Path dir) throws SQLException, IOException {
        this.dir = dir;
        this.events = dir.resolve("events");
        Files.createDirectories(events);
        this.meta = connect("jdbc:duckdb:" + dir.resolve("meta.duckdb"));
        try (Statement s = meta.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS offsets (feed_partition INTEGER PRIMARY KEY, next_offset BIGINT)");
            s.execute("CREATE TABLE IF NOT EXISTS aliases (tenant VARCHAR, merged VARCHAR, survivor VARCHAR,"
                    + " PRIMARY KEY (tenant, merged))");
            s.execute(
                    "CREATE TABLE IF NOT EXISTS gone (tenant VARCHAR, profile_id VARCHAR, PRIMARY KEY (tenant, profile_id))");
            s.execute("CREATE TABLE IF NOT EXISTS positions (topic VARCHAR, feed_partition INTEGER, next_offset BIGINT,"
                    + " PRIMARY KEY (topic, feed_partition))");
            s.execute("CREATE TABLE IF NOT EXISTS members (tenant VARCHAR, segment_id VARCHAR, profile_id VARCHAR,"
                    + " since TIMESTAMPTZ, PRIMARY KEY (tenant, segment_id, profile_id))");
            // the membership topic's partition a member came from (null in a store older than it)
            s.execute("ALTER TABLE members ADD COLUMN IF NOT EXISTS feed_partition INTEGER");
            // what a flush that failed half-way staged: its records are read again
            s.execute("DROP TABLE IF EXISTS member_changes");
            s.execute("CREATE TABLE member_changes (seq BIGINT, tenant VARCHAR, segment_id VARCHAR,"
                    + " profile_id VARCHAR, entered BOOLEAN, changed_at TIMESTAMPTZ, feed_partition INTEGER)");
            try (ResultSet r = s.executeQuery("SELECT feed_partition, next_offset FROM offsets")) {
                while (r.next()) {
                    next.put(r.getInt(1), r.getLong(2));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT topic, feed_partition, next_offset FROM positions")) {
                while (r.next()) {
                    positions.put(new TopicPartition(r.getString(1), r.getInt(2)), r.getLong(3));
                }
            }
        }
        this.staging = connect("jdbc:duckdb:");
        try (Statement s = staging.createStatement()) {
            s.execute(
                    "CREATE TABLE staged (feed_partition INTEGER, feed_offset BIGINT, tenant VARCHAR, profile_id VARCHAR,"
                            + " source_id VARCHAR, message_id VARCHAR, name VARCHAR, ts TIMESTAMPTZ, revenue DOUBLE,"
                            + " order_id VARCHAR, properties VARCHAR, device_type VARCHAR, campaign_source VARCHAR,"
                            + " traits VARCHAR)");
        }
        recover();
    }

    /** Opens (or creates) the store in {@code dir}, dropping files a crash left beyond the recorded offsets. */
    public static EventStore open(Path dir) {
        return open(dir, null);
    }

    /**
     * The same, with the engine's memory bounded (e.g. {@code 2GB}; null: the engine's default, 80 %
     * of the machine's memory); a query needing more spills to files beside the store.
     */
    public static EventStore open(Path dir, String memoryLimit) {
        try {
            EventStore store = new EventStore(dir);
            if (memoryLimit != null) {
                // the queries' database and the staging one each within the limit
                for (Connection c : List.of(store.meta, store.staging)) {
                    try (PreparedStatement s = c.prepareStatement("SET memory_limit = ?")) {
                        s.setString(1, memoryLimit);
                        s.execute();
                    } catch (SQLException e) {
                        IllegalArgumentException refused =
                                new IllegalArgumentException("not a memory limit: '" + memoryLimit + "'", e);
                        try {
                            store.close();
                        } catch (Exception closing) {
                            refused.addSuppressed(closing);
                        }
                        throw refused;
                    }
                }
            }
            return store;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the event store in " + dir + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Grows whenever what a query sees may have changed: events written, merges, deletions, memberships. */
    public long generation() {
        return generation.get();
    }

    /** The offset to read the partition from: every record below it is in the files. */
    public long nextOffset(int partition) {
        return next.getOrDefault(partition, 0L);
    }

    /** Stages a record's event; one below the partition's next offset (or already staged) is ignored. */
    public boolean append(int partition, long offset, Row row) throws SQLException {
        long[] range = staged.get(partition);
        if (offset < nextOffset(partition) || (range != null && offset <= range[1])) {
            return false;
        }
        if (appender == null) {
            appender = staging.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "staged");
        }
        appender.beginRow();
        appender.append(partition);
        appender.append(offset);
        appender.append(row.tenant());
        appender.append(row.profileId());
        appender.append(row.sourceId());
        appender.append(row.messageId());
        appender.append(row.name());
        appender.appendEpochMicros(
                row.time().getEpochSecond() * 1_000_000L + row.time().getNano() / 1_000);
        if (row.revenue() == null) {
            appender.appendNull();
        } else {
            appender.append(row.revenue());
        }
        appendNullable(row.orderId());
        appendNullable(row.propertiesJson());
        appendNullable(row.deviceType());
        appendNullable(row.campaignSource());
        appendNullable(row.traitsJson());
        appender.endRow();
        if (range == null) {
            staged.put(partition, new long[] {offset, offset});
        } else {
            range[1] = offset;
        }
        stagedEvents++;
        return true;
    }

    /** Marks a partition's records up to {@code offset} read although none was staged (no event in them). */
    public void skip(int partition, long offset) {
        long[] range = staged.get(partition);
        if (range == null) {
            if (offset >= nextOffset(partition)) {
                staged.put(partition, new long[] {offset, offset});
            }
        } else {
            range[1] = Math.max(range[1], offset);
        }
    }

    /** The events of {@code merged} are {@code survivor}'s from now on (a merge on this partition). */
    public void alias(String tenant, String merged, String survivor) throws SQLException {
        try (PreparedStatement s = meta.prepareStatement("INSERT OR REPLACE INTO aliases VALUES (?, ?, ?)")) {
            s.setString(1, tenant);
            s.setString(2, merged);
            s.setString(3, survivor);
            s.executeUpdate();
        }
        // a profile merged into this one before now follows it too
        try (PreparedStatement s =
                meta.prepareStatement("UPDATE aliases SET survivor = ? WHERE tenant = ? AND survivor = ?")) {
            s.setString(1, survivor);
            s.setString(2, tenant);
            s.setString(3, merged);
            s.executeUpdate();
        }
        generation.incrementAndGet();
    }

    /** An event's identity: its source and message id. */
    public record EventId(String sourceId, String messageId) {}

    /**
     * An unmerge, on the restored profile's partition: {@code restored} is no longer merged into
     * anyone nor gone. With {@code partition} (not -1: the merge had gone to another partition, where
     * copies of these events now are the restored profile's), its own rows of the {@code moved}
     * events on that partition (and those of profiles merged into it) leave, so each event counts
     * once. Idempotent.
     */
    public void restore(String tenant, String restored, List<EventId> moved, int partition)
            throws SQLException, IOException {
        // the rows first: a crash before the metadata leaves them hidden, not counted twice
        if (partition >= 0 && !moved.isEmpty()) {
            rewrite(tenant, partition, moved, List.of(), family(tenant, restored), null);
        }
        try (PreparedStatement s = meta.prepareStatement("DELETE FROM aliases WHERE tenant = ? AND merged = ?")) {
            s.setString(1, tenant);
            s.setString(2, restored);
            s.executeUpdate();
        }
        try (PreparedStatement s = meta.prepareStatement("DELETE FROM gone WHERE tenant = ? AND profile_id = ?")) {
            s.setString(1, tenant);
            s.setString(2, restored);
            s.executeUpdate();
        }
        generation.incrementAndGet();
    }

    /**
     * An unmerge, on the partition of the profile {@code from} it was undone from: its rows of the
     * {@code moved} events (and those of profiles merged into it) become {@code to}'s, rewritten in
     * the files. Rows of {@code to} for the same events that an earlier merge had hidden here leave
     * (the rewritten ones are the events' copies now). Idempotent: read again, it finds no row of
     * {@code from} to move, so it drops nothing either.
     */
    public void reassign(String tenant, String from, String to, List<EventId> moved, int partition)
            throws SQLException, IOException {
        if (moved.isEmpty()) {
            return;
        }
        List<String> toFamily = family(tenant, to);
        List<String> fromFamily = new ArrayList<>(family(tenant, from));
        fromFamily.removeAll(toFamily);
        rewrite(tenant, partition, moved, fromFamily, toFamily, to);
        generation.incrementAndGet();
    }

    /** The profile and the profiles whose stored events are its (merged into it on their partition). */
    private List<String> family(String tenant, String profile) throws SQLException {
        List<String> family = new ArrayList<>(List.of(profile));
        try (PreparedStatement s =
                meta.prepareStatement("SELECT merged FROM aliases WHERE tenant = ? AND survivor = ? ORDER BY merged")) {
            s.setString(1, tenant);
            s.setString(2, profile);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    family.add(r.getString(1));
                }
            }
        }
        return family;
    }

    /**
     * Rewrites the tenant's files of a partition holding any of the {@code moved} events: rows of
     * {@code movers} become {@code to}'s; rows of {@code droppers} leave: all of them when there are
     * no movers, else only those of events a mover's row holds (its copy). Each file is written
     * beside the store and moved over the old one; a crash in between leaves the old file, and the
     * change, read again, rewrites it again.
     */
    private void rewrite(
            String tenant, int partition, List<EventId> moved, List<String> movers, List<String> droppers, String to)
            throws SQLException, IOException {
        if (staged.containsKey(partition)) {
            flush();
        }
        Path folder = events.resolve("tenant=" + tenant);
        if (!Files.isDirectory(folder)) {
            return;
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> all = Files.list(folder)) {
            for (Path file : all.filter(Files::isRegularFile).sorted().toList()) {
                String name = file.getFileName().toString();
                Matcher m = FILE.matcher(
                        name.startsWith(KEPT) ? name.substring(name.indexOf('-', KEPT.length()) + 1) : name);
                if (m.matches() && Integer.parseInt(m.group(1)) == partition) {
                    files.add(file);
                }
            }
        }
        if (files.isEmpty()) {
            return;
        }
        try (Statement s = staging.createStatement()) {
            s.execute("CREATE OR REPLACE TEMP TABLE moved_ids (k VARCHAR)");
            s.execute("CREATE OR REPLACE TEMP TABLE movers (profile_id VARCHAR)");
            s.execute("CREATE OR REPLACE TEMP TABLE droppers (profile_id VARCHAR)");
        }
        try (PreparedStatement s = staging.prepareStatement("INSERT INTO moved_ids VALUES (?)")) {
            for (EventId id : moved) {
                s.setString(1, id.sourceId() + (char) 0 + id.messageId());
                s.addBatch();
            }
            s.executeBatch();
        }
        for (var table : Map.of("movers", movers, "droppers", droppers).entrySet()) {
            try (PreparedStatement s = staging.prepareStatement("INSERT INTO " + table.getKey() + " VALUES (?)")) {
                for (String id : table.getValue()) {
                    s.setString(1, id);
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
        String key = "(source_id || chr(0) || message_id)";
        String isMoved = key + " IN (SELECT k FROM moved_ids)";
        String isMover = "profile_id IN (SELECT profile_id FROM movers)";
        String isDropper = "profile_id IN (SELECT profile_id FROM droppers)";
        StringBuilder list = new StringBuilder();
        for (Path file : files) {
            list.append(list.isEmpty() ? "" : ", ").append('\'').append(file).append('\'');
        }
        String drop;
        try (Statement s = staging.createStatement()) {
            if (movers.isEmpty()) {
                drop = isDropper + " AND " + isMoved;
            } else {
                s.execute("CREATE OR REPLACE TEMP TABLE copies AS SELECT DISTINCT " + key + " AS k FROM read_parquet(["
                        + list + "], hive_partitioning = false, union_by_name = true) WHERE " + isMover + " AND "
                        + isMoved);
                drop = isDropper + " AND " + key + " IN (SELECT k FROM copies)";
            }
        }
        String move = movers.isEmpty() ? "false" : isMover + " AND " + isMoved;
        Path temp = Files.createDirectories(dir.resolve("rewriting"));
        for (Path file : files) {
            String source = "read_parquet('" + file + "', hive_partitioning = false)";
            long touched;
            try (Statement s = staging.createStatement();
                    ResultSet r = s.executeQuery(
                            "SELECT count(*) FROM " + source + " WHERE (" + move + ") OR (" + drop + ")")) {
                r.next();
                touched = r.getLong(1);
            }
            if (touched == 0) {
                continue;
            }
            Path written = temp.resolve(file.getFileName());
            try (PreparedStatement s = staging.prepareStatement("COPY (SELECT * REPLACE (CASE WHEN " + move
                    + " THEN ? ELSE profile_id END AS profile_id) FROM " + source + " WHERE NOT (" + drop + ")"
                    + " ORDER BY ts) TO '" + written + "' (FORMAT parquet)")) {
                s.setString(1, to);
                s.execute();
            }
            Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The profile's events leave every analysis (deleted, or merged into another partition's profile). */
    public void forget(String tenant, String profileId) throws SQLException {
        try (PreparedStatement s = meta.prepareStatement("INSERT OR IGNORE INTO gone VALUES (?, ?)")) {
            s.setString(1, tenant);
            s.setString(2, profileId);
            s.executeUpdate();
        }
        generation.incrementAndGet();
    }

    /**
     * Writes the staged events to Parquet files, then records the partitions' next offsets. Returns
     * the number of events written.
     */
    public long flush() throws SQLException, IOException {
        applyMemberships();
        recordPositions();
        if (staged.isEmpty()) {
            return 0;
        }
        if (appender != null) {
            appender.close();
            appender = null;
        }
        long written = 0;
        Path temp = Files.createDirectories(dir.resolve("flushing"));
        for (Map.Entry<Integer, long[]> entry : staged.entrySet()) {
            int partition = entry.getKey();
            long first = entry.getValue()[0];
            long last = entry.getValue()[1];
            long count;
            try (Statement s = staging.createStatement();
                    ResultSet r = s.executeQuery("SELECT count(*) FROM staged WHERE feed_partition = " + partition)) {
                r.next();
                count = r.getLong(1);
            }
            if (count > 0) {
                String pattern = "part-" + partition + "-" + first + "-" + last + "-{i}";
                try (Statement s = staging.createStatement()) {
                    s.execute("COPY (SELECT " + COLUMNS + " FROM staged WHERE feed_partition = " + partition
                            + " ORDER BY tenant, ts)"
                            + " TO '" + temp + "' (FORMAT parquet, PARTITION_BY (tenant), OVERWRITE_OR_IGNORE,"
                            + " FILENAME_PATTERN '" + pattern + "')");
                }
                moveInto(temp);
                written += count;
            }
            setNext(partition, last + 1);
        }
        try (Statement s = staging.createStatement()) {
            s.execute("DELETE FROM staged");
        }
        staged.clear();
        stagedEvents = 0;
        if (written > 0) {
            generation.incrementAndGet();
        }
        return written;
    }

    /** The events and membership changes staged since the last flush. */
    public long stagedCount() {
        return stagedEvents + memberships.size();
    }

    /**
     * Stages an audience's enter or exit, applied with the next flush: the latest change of each
     * (audience, profile) wins, so reading the records again in order gives the same members.
     */
    public void membership(Membership change) {
        memberships.add(new Staged(change, null));
    }

    /** The same for the record at {@code offset} of the membership topic's {@code partition}, which it marks read. */
    public void membership(Membership change, String topic, int partition, long offset) {
        memberships.add(new Staged(change, partition));
        read(topic, partition, offset);
    }

    /**
     * The offset to read a partition of the changes or membership topic from: what its records
     * before it did is in the store (0 when the store has read none).
     */
    public long position(String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        return read.getOrDefault(tp, positions.getOrDefault(tp, 0L));
    }

    /**
     * Marks the record at {@code offset} of a partition of the changes or membership topic read
     * (applied, staged, or no record for the store): the position is recorded with the next flush.
     * Reading again from an older position does no harm, as changes and memberships applied again
     * in order give the same state.
     */
    public void read(String topic, int partition, long offset) {
        read.merge(new TopicPartition(topic, partition), offset + 1, Math::max);
    }

    private void recordPositions() throws SQLException {
        if (read.isEmpty()) {
            return;
        }
        try (PreparedStatement s = meta.prepareStatement("INSERT OR REPLACE INTO positions VALUES (?, ?, ?)")) {
            for (Map.Entry<TopicPartition, Long> entry : read.entrySet()) {
                s.setString(1, entry.getKey().topic());
                s.setInt(2, entry.getKey().partition());
                s.setLong(3, entry.getValue());
                s.addBatch();
            }
            s.executeBatch();
        }
        positions.putAll(read);
        read.clear();
    }

    /**
     * Reads an events partition again from offset 0, its topic made anew (a rebuilt cluster): the
     * events the store holds of it stay, as they happened and nobody sends them again, under names
     * ({@code kept-<millis>-part-...}) that the offsets no longer govern, so neither the files of the
     * new topic's offsets nor opening the store after a crash touch them. Staged events of the
     * partition are flushed first.
     */
    public void restartEvents(int partition) throws SQLException, IOException {
        if (staged.containsKey(partition)) {
            flush();
        }
        String epoch = Long.toString(System.currentTimeMillis());
        for (Part part : parts()) {
            if (part.partition() == partition) {
                Path file = part.file();
                Files.move(
                        file,
                        file.resolveSibling(KEPT + epoch + "-" + file.getFileName()),
                        StandardCopyOption.ATOMIC_MOVE);
            }
        }
        // after the files: a crash in between sets the rest aside on the next try
        try (PreparedStatement s = meta.prepareStatement("DELETE FROM offsets WHERE feed_partition = ?")) {
            s.setInt(1, partition);
            s.executeUpdate();
        }
        next.remove(partition);
        generation.incrementAndGet();
    }

    /**
     * Forgets the members a partition of the membership topic brought (and its position), so that
     * it is read again from the beginning: its topic was made anew.
     */
    public void forgetMembers(String topic, int partition) throws SQLException {
        memberships.removeIf(m -> m.partition() != null && m.partition() == partition);
        try (PreparedStatement s = meta.prepareStatement("DELETE FROM members WHERE feed_partition = ?")) {
            s.setInt(1, partition);
            s.executeUpdate();
        }
        forgetPosition(topic, partition);
        generation.incrementAndGet();
    }

    /** Forgets the position on a partition of the changes or membership topic: it is read from its beginning. */
    public void forgetPosition(String topic, int partition) throws SQLException {
        TopicPartition tp = new TopicPartition(topic, partition);
        try (PreparedStatement s =
                meta.prepareStatement("DELETE FROM positions WHERE topic = ? AND feed_partition = ?")) {
            s.setString(1, topic);
            s.setInt(2, partition);
            s.executeUpdate();
        }
        positions.remove(tp);
        read.remove(tp);
    }

    private void applyMemberships() throws SQLException {
        if (memberships.isEmpty()) {
            return;
        }
        try (Statement s = meta.createStatement()) {
            s.execute("DELETE FROM member_changes");
        }
        try (DuckDBAppender out =
                meta.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "member_changes")) {
            long seq = 0;
            for (Staged change : memberships) {
                Membership m = change.change();
                out.beginRow();
                out.append(seq++);
                out.append(m.tenant());
                out.append(m.segmentId());
                out.append(m.profileId());
                out.append(m.entered());
                out.appendEpochMicros(m.at().getEpochSecond() * 1_000_000L + m.at().getNano() / 1_000);
                if (change.partition() == null) {
                    out.appendNull();
                } else {
                    out.append(change.partition().intValue());
                }
                out.endRow();
            }
        }
        boolean autoCommit = meta.getAutoCommit();
        meta.setAutoCommit(false);
        try (Statement s = meta.createStatement()) {
            s.execute("CREATE TEMP TABLE latest AS SELECT DISTINCT ON (tenant, segment_id, profile_id) *"
                    + " FROM member_changes ORDER BY tenant, segment_id, profile_id, seq DESC");
            s.execute("DELETE FROM members m USING latest l WHERE m.tenant = l.tenant"
                    + " AND m.segment_id = l.segment_id AND m.profile_id = l.profile_id");
            s.execute("INSERT INTO members (tenant, segment_id, profile_id, since, feed_partition)"
                    + " SELECT tenant, segment_id, profile_id, changed_at, feed_partition FROM latest WHERE entered");
            s.execute("DROP TABLE latest");
            s.execute("DELETE FROM member_changes");
            meta.commit();
        } catch (SQLException e) {
            meta.rollback();
            throw e;
        } finally {
            meta.setAutoCommit(autoCommit);
        }
        memberships.clear();
        generation.incrementAndGet();
    }

    /**
     * A connection of the caller's own (to close) with the view {@code events}: every stored event of
     * a profile still here, under its survivor's id. It is a connection to the metadata's database,
     * so the view reads its aliases and gone profiles as they are at each query, and the files as
     * they are when each query starts.
     */
    public Connection openQuery() throws SQLException {
        return openQuery(null);
    }

    /**
     * As {@link #openQuery()}, over the events and members of these partitions of the feed only
     * (null: all), for a replica answering for the partitions it serves.
     */
    public Connection openQuery(Collection<Integer> partitions) throws SQLException {
        Connection query = meta.unwrap(DuckDBConnection.class).duplicate();
        try {
            createView(query, partitions == null ? null : Set.copyOf(partitions));
        } catch (SQLException | RuntimeException e) {
            query.close();
            throw e;
        }
        return query;
    }

    /**
     * Whether a query failed because a file its view named was moved away meanwhile (compaction
     * merged it, or a partition's files were set aside): the same query on a new view succeeds.
     */
    public static boolean filesMoved(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            // opened by name once it was gone, or no longer there when the view's list was expanded
            if (t instanceof SQLException
                    && (message.contains("No such file or directory")
                            || message.contains("No files found that match the pattern"))) {
                return true;
            }
        }
        return false;
    }

    /** The number of Parquet files holding events. */
    public long fileCount() throws IOException {
        try (Stream<Path> all = Files.walk(events)) {
            return all.filter(p -> p.getFileName().toString().endsWith(".parquet"))
                    .count();
        }
    }

    private void createView(Connection query, Set<Integer> partitions) throws SQLException {
        long files;
        String glob;
        String members = "";
        try {
            if (partitions == null) {
                files = fileCount();
                glob = "'" + events + "/**/*.parquet'";
            } else {
                List<String> of = filesOf(partitions);
                files = of.size();
                glob = "[" + String.join(", ", of) + "]";
                members = partitions.isEmpty()
                        ? " AND false"
                        : " AND m.feed_partition IN ("
                                + String.join(
                                        ", ",
                                        partitions.stream().map(String::valueOf).toList())
                                + ")";
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String source = files == 0
                ? "(SELECT NULL::VARCHAR tenant, NULL::VARCHAR profile_id, NULL::VARCHAR source_id, NULL::VARCHAR message_id,"
                        + " NULL::VARCHAR name, NULL::TIMESTAMPTZ ts, NULL::DOUBLE revenue, NULL::VARCHAR order_id,"
                        + " NULL::VARCHAR properties, NULL::VARCHAR device_type, NULL::VARCHAR campaign_source,"
                        + " NULL::VARCHAR traits WHERE false)"
                // files written before the device, campaign and traits columns lack them: by name, with
                // an empty relation that has them, every file reads them (NULL where absent)
                : "(SELECT * FROM read_parquet(" + glob
                        + ", hive_partitioning = true, union_by_name = true)"
                        + " UNION ALL BY NAME SELECT NULL::VARCHAR AS device_type, NULL::VARCHAR AS campaign_source,"
                        + " NULL::VARCHAR AS traits WHERE false)";
        try (Statement s = query.createStatement()) {
            s.execute("CREATE OR REPLACE TEMP VIEW audience_members AS SELECT m.tenant, m.segment_id, m.profile_id,"
                    + " m.since FROM members m WHERE NOT EXISTS (SELECT 1 FROM gone g WHERE g.tenant = m.tenant"
                    + " AND g.profile_id = m.profile_id)" + members);
            s.execute(
                    "CREATE OR REPLACE TEMP VIEW events AS SELECT e.tenant, coalesce(a.survivor, e.profile_id) AS profile_id,"
                            + " e.source_id, e.message_id, e.name, e.ts, e.revenue, e.order_id, e.properties,"
                            + " e.device_type, e.campaign_source, e.traits FROM "
                            + source + " e"
                            + " LEFT JOIN aliases a ON a.tenant = e.tenant AND a.merged = e.profile_id"
                            // gone profiles left out by a join on its key (at most one row matches),
                            // which the engine runs as a hash join; NOT EXISTS cost it a fifth of a
                            // large funnel's time
                            + " LEFT JOIN gone g ON g.tenant = e.tenant"
                            + " AND g.profile_id = coalesce(a.survivor, e.profile_id)"
                            + " WHERE g.profile_id IS NULL");
        }
    }

    /** The event files of these partitions (kept ones included), quoted for DuckDB. */
    private List<String> filesOf(Set<Integer> partitions) throws IOException {
        try (Stream<Path> all = Files.walk(events)) {
            return all.filter(p -> {
                        Matcher m = FILE.matcher(p.getFileName().toString());
                        return m.find() && partitions.contains(Integer.parseInt(m.group(1)));
                    })
                    .map(p -> "'" + p.toString().replace("'", "''") + "'")
                    .sorted()
                    .toList();
        }
    }

    private void setNext(int partition, long offset) throws SQLException {
        try (PreparedStatement s = meta.prepareStatement("INSERT OR REPLACE INTO offsets VALUES (?, ?)")) {
            s.setInt(1, partition);
            s.setLong(2, offset);
            s.executeUpdate();
        }
        next.put(partition, offset);
    }

    /** Moves the files written under {@code temp} into the events directory, keeping their tenant folder. */
    private void moveInto(Path temp) throws IOException {
        List<Path> written;
        try (Stream<Path> all = Files.walk(temp)) {
            written = all.filter(Files::isRegularFile).toList();
        }
        for (Path file : written) {
            Path target = events.resolve(temp.relativize(file));
            Files.createDirectories(target.getParent());
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * Merges the files of each tenant's folder and partition into one where there are at least
     * {@code minFiles}, so a day of flushes does not leave thousands of small files. The merged
     * file is named by the range it covers, with the suffix {@code -c}: it is moved into place
     * before the files it holds are deleted, and a store opened after a crash between the two
     * deletes the files a compacted one covers. Returns the number of files merged away.
     */
    public int compact(int minFiles) throws SQLException, IOException {
        Map<String, List<Part>> groups = new TreeMap<>();
        for (Part part : parts()) {
            groups.computeIfAbsent(part.file().getParent() + "#" + part.partition(), k -> new ArrayList<>())
                    .add(part);
        }
        int merged = 0;
        Path temp = Files.createDirectories(dir.resolve("compacting"));
        for (List<Part> group : groups.values()) {
            if (group.size() < Math.max(2, minFiles)) {
                continue;
            }
            long first = group.stream().mapToLong(Part::first).min().orElseThrow();
            long last = group.stream().mapToLong(Part::last).max().orElseThrow();
            Part any = group.get(0);
            String name = "part-" + any.partition() + "-" + first + "-" + last + "-" + COMPACTED + ".parquet";
            Path written = temp.resolve(name);
            StringBuilder files = new StringBuilder();
            for (Part part : group) {
                files.append(files.isEmpty() ? "" : ", ")
                        .append('\'')
                        .append(part.file())
                        .append('\'');
            }
            try (Statement s = staging.createStatement()) {
                s.execute("COPY (SELECT * FROM read_parquet([" + files + "], hive_partitioning = false) ORDER BY ts)"
                        + " TO '" + written + "' (FORMAT parquet)");
            }
            Path target = any.file().resolveSibling(name);
            Files.move(written, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (Part part : group) {
                if (!part.file().equals(target)) {
                    Files.delete(part.file());
                    merged++;
                }
            }
        }
        return merged;
    }

    /** A file of events: its partition and the offsets it covers. */
    private record Part(Path file, int partition, long first, long last, boolean compacted) {

        boolean covers(Part other) {
            return compacted
                    && !file.equals(other.file)
                    && partition == other.partition
                    && file.getParent().equals(other.file.getParent())
                    && first <= other.first
                    && other.last <= last;
        }
    }

    private List<Part> parts() throws IOException {
        List<Part> parts = new ArrayList<>();
        try (Stream<Path> all = Files.walk(events)) {
            for (Path file : all.filter(Files::isRegularFile).toList()) {
                Matcher m = FILE.matcher(file.getFileName().toString());
                if (m.matches()) {
                    parts.add(new Part(
                            file,
                            Integer.parseInt(m.group(1)),
                            Long.parseLong(m.group(2)),
                            Long.parseLong(m.group(3)),
                            m.group(4).equals(COMPACTED)));
                }
            }
        }
        return parts;
    }

    /**
     * Deletes what a crash left: a half-written flush or compaction, files beyond the recorded
     * offsets, and files a compacted one covers.
     */
    private void recover() throws IOException {
        for (String unfinished : List.of("flushing", "compacting", "rewriting")) {
            Path temp = dir.resolve(unfinished);
            if (Files.exists(temp)) {
                try (Stream<Path> all = Files.walk(temp)) {
                    for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount())
                            .toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
        List<Part> parts = parts();
        for (Part part : parts) {
            if (parts.stream().anyMatch(other -> other.covers(part))) {
                Files.delete(part.file());
            }
        }
        List<Path> beyond = new ArrayList<>();
        try (Stream<Path> all = Files.walk(events)) {
            for (Path file : all.filter(Files::isRegularFile).toList()) {
                Matcher m = FILE.matcher(file.getFileName().toString());
                if (m.matches() && Long.parseLong(m.group(3)) >= nextOffset(Integer.parseInt(m.group(1)))) {
                    beyond.add(file);
                }
            }
        }
        for (Path file : beyond) {
            Files.delete(file);
        }
    }

    /**
     * A DuckDB connection from the driver itself: DriverManager only hands out drivers the caller's
     * class loader sees, which differs between an application and tests run in one JVM.
     */
    private static Connection connect(String url) throws SQLException {
        return new DuckDBDriver().connect(url, new Properties());
    }

    private void appendNullable(String value) throws SQLException {
        if (value == null) {
            appender.appendNull();
        } else {
            appender.append(value);
        }
    }

    @Override
    public void close() throws SQLException {
        if (appender != null) {
            appender.close();
        }
        staging.close();
        meta.close();
    }
}
