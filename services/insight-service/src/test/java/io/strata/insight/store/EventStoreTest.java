package io.strata.insight.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.insight.store.EventStore.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventStoreTest {

    private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");

    @TempDir
    Path dir;

    @Test
    void theEnginesMemoryIsBoundedAsConfiguredAndANonsenseLimitRefused() throws Exception {
        try (EventStore store = EventStore.open(dir, "512MB");
                Connection c = store.openQuery();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT current_setting('memory_limit')")) {
            assertTrue(r.next());
            assertEquals("488.2 MiB", r.getString(1), "512 MB, as the engine prints it");
        }
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> EventStore.open(dir.resolve("other"), "lots"));
        assertTrue(e.getMessage().contains("'lots'"), e.getMessage());
    }

    @Test
    void flushedEventsAreQueriedAndTheirOffsetsKept() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            store.append(0, 0, row("acme", "p1", "m1", "Product Viewed", null));
            store.append(0, 1, row("acme", "p1", "m2", "Order Completed", 120.0));
            store.append(1, 7, row("demo", "p9", "m3", "Order Completed", 80.0));
            assertEquals(0, count(store, "SELECT count(*) FROM events"), "nothing before the flush");
            assertEquals(3, store.flush());

            assertEquals(2, store.nextOffset(0));
            assertEquals(8, store.nextOffset(1));
            assertEquals(3, count(store, "SELECT count(*) FROM events"));
            assertEquals(200, count(store, "SELECT sum(revenue)::BIGINT FROM events"));
            assertEquals(1, count(store, "SELECT count(*) FROM events WHERE tenant = 'demo'"));
        }
        try (Stream<Path> files = Files.walk(dir.resolve("events"))) {
            List<String> names = files.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString())
                    .sorted()
                    .toList();
            assertEquals(
                    List.of("events/tenant=acme/part-0-0-1-0.parquet", "events/tenant=demo/part-1-7-7-0.parquet"),
                    names,
                    "Hive-style folders by tenant, as Spark reads them");
        }
    }

    @Test
    void filesWrittenBeforeTheContextColumnsAreStillRead() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            store.append(0, 0, row("acme", "p1", "m1", "Product Viewed", null));
            store.flush();
        }
        // the file as the store wrote it before device_type, campaign_source and traits were kept
        Path file;
        try (Stream<Path> files = Files.walk(dir.resolve("events"))) {
            file = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        Path old = dir.resolve("old.parquet");
        try (Connection c = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:", new java.util.Properties());
                Statement s = c.createStatement()) {
            s.execute("COPY (SELECT tenant, profile_id, source_id, message_id, name, ts, revenue, order_id, properties"
                    + " FROM read_parquet('" + file + "')) TO '" + old + "' (FORMAT parquet)");
        }
        Files.move(old, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (EventStore store = EventStore.open(dir)) {
            assertEquals(1, count(store, "SELECT count(*) FROM events WHERE device_type IS NULL AND traits IS NULL"));
        }
    }

    @Test
    void costsAStoreOfAnEarlierVersionKeptAreHandedOverThenDropped() throws Exception {
        Files.createDirectories(dir);
        // the metadata as an earlier version left it: costs beside the offsets
        try (Connection c = new org.duckdb.DuckDBDriver()
                        .connect("jdbc:duckdb:" + dir.resolve("meta.duckdb"), new java.util.Properties());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE costs (tenant VARCHAR, day DATE, channel VARCHAR, creator VARCHAR,"
                    + " cost DOUBLE, PRIMARY KEY (tenant, day, channel, creator))");
            s.execute("INSERT INTO costs VALUES ('demo', DATE '2026-03-02', 'douyin', 'dage', 20.5),"
                    + " ('acme', DATE '2026-03-01', 'wechat_ads', '', 200)");
        }
        try (EventStore store = EventStore.open(dir)) {
            assertEquals(
                    List.of(
                            new EventStore.LegacyCost(
                                    "acme", java.time.LocalDate.parse("2026-03-01"), "wechat_ads", "", 200),
                            new EventStore.LegacyCost(
                                    "demo", java.time.LocalDate.parse("2026-03-02"), "douyin", "dage", 20.5)),
                    store.legacyCosts().stream()
                            .sorted(java.util.Comparator.comparing(EventStore.LegacyCost::tenant))
                            .toList());
            store.dropLegacyCosts();
            assertEquals(List.of(), store.legacyCosts());
        }
        try (EventStore store = EventStore.open(dir)) {
            assertEquals(List.of(), store.legacyCosts(), "a new store has none to hand over");
        }
    }

    @Test
    void aReopenedStoreGoesOnFromItsOffsetsAndIgnoresRedeliveries() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            store.append(0, 0, row("acme", "p1", "m1", "Product Viewed", null));
            store.append(0, 1, row("acme", "p1", "m2", "Product Viewed", null));
            store.flush();
        }
        try (EventStore store = EventStore.open(dir)) {
            assertEquals(2, store.nextOffset(0));
            assertFalse(store.append(0, 1, row("acme", "p1", "m2", "Product Viewed", null)), "a redelivery");
            assertTrue(store.append(0, 2, row("acme", "p1", "m3", "Product Viewed", null)));
            assertFalse(store.append(0, 2, row("acme", "p1", "m3", "Product Viewed", null)), "staged already");
            store.flush();
            assertEquals(3, count(store, "SELECT count(*) FROM events"));
        }
    }

    @Test
    void filesACrashLeftBeyondTheRecordedOffsetAreDropped() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            store.append(0, 0, row("acme", "p1", "m1", "Product Viewed", null));
            store.flush();
        }
        // a flush that moved its file into place but died before recording offset 5
        Path kept = dir.resolve("events/tenant=acme/part-0-0-0-0.parquet");
        Files.copy(kept, dir.resolve("events/tenant=acme/part-0-1-4-0.parquet"));
        Files.createDirectories(dir.resolve("flushing/tenant=acme"));
        Files.copy(kept, dir.resolve("flushing/tenant=acme/part-0-1-4-0.parquet"));

        try (EventStore store = EventStore.open(dir)) {
            assertEquals(1, store.nextOffset(0));
            assertEquals(1, store.fileCount());
            assertFalse(Files.exists(dir.resolve("flushing")));
            assertEquals(1, count(store, "SELECT count(*) FROM events"), "the feed is read again from offset 1");
        }
    }

    @Test
    void mergedProfilesEventsAreTheSurvivorsAndForgottenProfilesLeave() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            store.append(0, 0, row("acme", "anon-1", "m1", "Product Viewed", null));
            store.append(0, 1, row("acme", "anon-2", "m2", "Product Added", null));
            store.append(0, 2, row("acme", "user-1", "m3", "Order Completed", 50.0));
            store.append(0, 3, row("acme", "user-2", "m4", "Order Completed", 70.0));
            store.flush();

            store.alias("acme", "anon-1", "anon-2");
            store.alias("acme", "anon-2", "user-1");
            assertEquals(
                    3, count(store, "SELECT count(*) FROM events WHERE profile_id = 'user-1'"), "a chain of merges");

            store.forget("acme", "user-2");
            assertEquals(3, count(store, "SELECT count(*) FROM events"));
            store.forget("acme", "user-1");
            assertEquals(0, count(store, "SELECT count(*) FROM events"), "the survivor's merged events leave with it");
        }
        try (EventStore store = EventStore.open(dir)) {
            assertEquals(0, count(store, "SELECT count(*) FROM events"), "kept across a restart");
        }
    }

    @Test
    void compactionMergesAFoldersFilesAndACrashHalfWayLeavesNoDuplicate() throws Exception {
        Path saved = dir.resolve("saved.parquet");
        try (EventStore store = EventStore.open(dir)) {
            for (int flush = 0; flush < 5; flush++) {
                store.append(0, flush * 2, row("acme", "p1", "m" + flush, "Product Viewed", null));
                store.append(0, flush * 2 + 1, row("acme", "p2", "n" + flush, "Order Completed", 10.0));
                store.append(1, flush, row("acme", "p3", "o" + flush, "Product Viewed", null));
                store.flush();
                if (flush == 0) {
                    Files.copy(dir.resolve("events/tenant=acme/part-0-0-1-0.parquet"), saved);
                }
            }
            assertEquals(10, store.fileCount());
            assertEquals(0, store.compact(6), "fewer files than the threshold: left alone");

            assertEquals(10, store.compact(5), "five files of each partition merged into one");
            assertEquals(2, store.fileCount(), "one file per tenant and partition");
            assertEquals(15, count(store, "SELECT count(*) FROM events"));
            assertEquals(50, count(store, "SELECT sum(revenue)::BIGINT FROM events"));
            assertTrue(Files.exists(dir.resolve("events/tenant=acme/part-0-0-9-c.parquet")));
        }
        // a compaction that moved its file into place but died before deleting what it merged
        Files.copy(saved, dir.resolve("events/tenant=acme/part-0-0-1-0.parquet"));
        try (EventStore store = EventStore.open(dir)) {
            assertEquals(2, store.fileCount());
            assertEquals(15, count(store, "SELECT count(*) FROM events"));
            store.append(0, 10, row("acme", "p1", "m9", "Product Viewed", null));
            store.flush();
            assertEquals(2, store.compact(2), "the compacted file and the new one");
            assertEquals(16, count(store, "SELECT count(*) FROM events"));
        }
    }

    @Test
    void theLatestEnterOrExitOfEachAudienceAndProfileWins() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            store.membership(new EventStore.Membership("acme", "vip", "p1", true, T0));
            store.membership(new EventStore.Membership("acme", "vip", "p2", true, T0));
            store.membership(new EventStore.Membership("acme", "vip", "p1", false, T0.plusSeconds(1)));
            store.membership(new EventStore.Membership("acme", "core", "p1", true, T0));
            assertEquals(0, count(store, "SELECT count(*) FROM audience_members"), "applied with the flush");
            store.flush();
            assertEquals(1, count(store, "SELECT count(*) FROM audience_members WHERE segment_id = 'vip'"));
            assertEquals(1, count(store, "SELECT count(*) FROM audience_members WHERE segment_id = 'core'"));

            // the same records read again, then the next ones
            store.membership(new EventStore.Membership("acme", "vip", "p1", false, T0.plusSeconds(1)));
            store.membership(new EventStore.Membership("acme", "vip", "p1", true, T0.plusSeconds(2)));
            store.membership(new EventStore.Membership("acme", "vip", "p2", false, T0.plusSeconds(2)));
            store.flush();
            assertEquals(
                    1,
                    count(
                            store,
                            "SELECT count(*) FROM audience_members WHERE segment_id = 'vip' AND profile_id = 'p1'"));
            assertEquals(1, count(store, "SELECT count(*) FROM audience_members WHERE segment_id = 'vip'"));
            store.forget("acme", "p1");
            assertEquals(
                    0, count(store, "SELECT count(*) FROM audience_members"), "a deleted profile is in no audience");
        }
    }

    @Test
    void recordsWithoutEventsStillMoveTheOffset() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            store.skip(2, 40);
            store.flush();
            assertEquals(41, store.nextOffset(2));
            assertEquals(0, store.fileCount());
        }
    }

    @Test
    void positionsOnTheOtherTopicsAreKeptWithTheFlushAndAPartitionCanStartAnew() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            store.append(0, 0, row("acme", "p1", "m1", "Product Viewed", null));
            store.append(1, 4, row("acme", "p2", "m2", "Product Viewed", null));
            store.membership(new EventStore.Membership("acme", "vip", "p1", true, T0), "members", 0, 6);
            store.membership(new EventStore.Membership("acme", "vip", "p2", true, T0), "members", 1, 2);
            store.read("changes", 1, 9);
            assertEquals(7, store.position("members", 0), "read, recorded with the flush");
            store.flush();
        }
        try (EventStore store = EventStore.open(dir)) {
            assertEquals(7, store.position("members", 0));
            assertEquals(3, store.position("members", 1));
            assertEquals(10, store.position("changes", 1));
            assertEquals(0, store.position("changes", 0), "none read");

            store.append(0, 1, row("acme", "p1", "m3", "Product Viewed", null));
            store.restartEvents(0);
            store.forgetMembers("members", 0);
            store.forgetPosition("changes", 1);
            assertEquals(0, store.nextOffset(0));
            assertEquals(5, store.nextOffset(1), "the other partition is untouched");
            assertEquals(0, store.position("members", 0));
            assertEquals(3, store.position("members", 1));
            assertEquals(0, store.position("changes", 1));
            assertEquals(3, count(store, "SELECT count(*) FROM events"), "the events stay, the staged one too");
            assertEquals(1, count(store, "SELECT count(*) FROM audience_members WHERE profile_id = 'p2'"));
            assertEquals(1, count(store, "SELECT count(*) FROM audience_members"), "partition 0's members gone");

            // the new topic's offsets start again at 0, beside the files set aside
            assertTrue(store.append(0, 0, row("acme", "p1", "m4", "Product Viewed", null)));
            store.flush();
            assertEquals(1, store.nextOffset(0));
        }
        try (EventStore store = EventStore.open(dir)) {
            assertEquals(4, count(store, "SELECT count(*) FROM events"), "opening keeps the files set aside");
            assertEquals(0, store.position("changes", 1), "forgotten for good");
            assertEquals(1, store.nextOffset(0));
            store.append(0, 1, row("acme", "p1", "m5", "Product Viewed", null));
            store.flush();
            store.append(0, 2, row("acme", "p1", "m6", "Product Viewed", null));
            store.flush();
            store.compact(2);
            assertEquals(6, count(store, "SELECT count(*) FROM events"), "compaction leaves them alone");
        }
    }

    @Test
    void anUnmergeAcrossPartitionsGivesTheRestoredProfileItsEventsOnceInEitherOrderAndAgain() throws Exception {
        List<EventStore.EventId> moved = ids("e1", "e2", "e4");
        try (EventStore store = EventStore.open(dir)) {
            // r lives on partition 0, s on 1; r merges into s: its events are copied to 1 under s
            store.append(0, 0, row("acme", "r", "e1", "Product Viewed", null));
            store.append(0, 1, row("acme", "r", "e2", "Order Completed", 30.0));
            store.append(1, 0, row("acme", "s", "e3", "Product Viewed", null));
            store.flush();
            store.forget("acme", "r");
            store.append(1, 1, row("acme", "s", "e1", "Product Viewed", null));
            store.append(1, 2, row("acme", "s", "e2", "Order Completed", 30.0));
            store.append(1, 3, row("acme", "s", "e4", "Product Added", null)); // came through r's identifier
            store.flush();
            assertEquals("s=4", owners(store));

            store.restore("acme", "r", moved, 0);
            assertEquals("s=4", owners(store), "r's own rows left; the copies are still s's");
            store.reassign("acme", "s", "r", moved, 1);
            assertEquals("r=3 s=1", owners(store));
            assertEquals(30, count(store, "SELECT sum(revenue)::BIGINT FROM events"), "the order once");
            store.restore("acme", "r", moved, 0);
            store.reassign("acme", "s", "r", moved, 1);
            assertEquals("r=3 s=1", owners(store), "read again, nothing changes");

            // merged again (r's events copied again), then undone again, the other way round
            store.forget("acme", "r");
            store.append(1, 4, row("acme", "s", "e1", "Product Viewed", null));
            store.append(1, 5, row("acme", "s", "e2", "Order Completed", 30.0));
            store.append(1, 6, row("acme", "s", "e4", "Product Added", null));
            store.flush();
            assertEquals("s=4", owners(store));
            store.reassign("acme", "s", "r", moved, 1);
            store.restore("acme", "r", moved, 0);
            assertEquals("r=3 s=1", owners(store));
        }
        try (EventStore store = EventStore.open(dir)) {
            assertEquals("r=3 s=1", owners(store), "the rewritten files are the store's");
        }
    }

    @Test
    void anUnmergeOnOnePartitionGivesTheRestoredProfileItsEventsBack() throws Exception {
        for (boolean restoreFirst : List.of(true, false)) {
            Path here = dir.resolve("restore-first-" + restoreFirst);
            try (EventStore store = EventStore.open(here)) {
                store.append(0, 0, row("acme", "r", "e1", "Product Viewed", null));
                store.append(0, 1, row("acme", "s", "e3", "Product Viewed", null));
                store.append(0, 2, row("acme", "x", "e5", "Product Viewed", null));
                store.flush();
                store.alias("acme", "x", "r"); // x had been merged into r before
                store.alias("acme", "r", "s");
                store.append(0, 3, row("acme", "s", "e4", "Product Added", null));
                store.flush();
                assertEquals("s=4", owners(store));

                List<EventStore.EventId> withX = ids("e1", "e4", "e5");
                for (int round = 0; round < 2; round++) {
                    if (restoreFirst) {
                        store.restore("acme", "r", withX, -1);
                        store.reassign("acme", "s", "r", withX, 0);
                    } else {
                        store.reassign("acme", "s", "r", withX, 0);
                        store.restore("acme", "r", withX, -1);
                    }
                    assertEquals("r=3 s=1", owners(store), "restore first: " + restoreFirst + ", round " + round);
                }
            }
        }
    }

    @Test
    void aViewOverSomePartitionsSeesTheirEventsAndMembersOnly() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            store.append(0, 0, row("acme", "p0", "m1", "Product Viewed", null));
            store.append(1, 0, row("acme", "p1", "m2", "Product Viewed", null));
            store.append(12, 0, row("acme", "p12", "m3", "Product Viewed", null));
            store.append(12, 1, row("acme", "p12", "m4", "Product Viewed", null));
            store.membership(new EventStore.Membership("acme", "vip", "p0", true, T0), "members", 0, 0);
            store.membership(new EventStore.Membership("acme", "vip", "p12", true, T0), "members", 12, 0);
            store.flush();
            // partition 0 made anew: its file set aside (kept-...-part-0-...) is still partition 0's
            store.restartEvents(0);
            store.append(0, 0, row("acme", "p0", "m5", "Product Viewed", null));
            store.flush();

            assertEquals(2, count(store, List.of(0), "SELECT count(*) FROM events"), "kept and new");
            assertEquals(1, count(store, List.of(1), "SELECT count(*) FROM events"), "not partition 12's");
            assertEquals(2, count(store, List.of(12), "SELECT count(*) FROM events"));
            assertEquals(3, count(store, List.of(1, 12), "SELECT count(*) FROM events"));
            assertEquals(0, count(store, List.of(5), "SELECT count(*) FROM events"), "a partition without files");
            assertEquals(0, count(store, List.of(), "SELECT count(*) FROM events"));
            assertEquals(5, count(store, null, "SELECT count(*) FROM events"), "all");
            assertEquals(1, count(store, List.of(0, 1), "SELECT count(*) FROM audience_members"));
            assertEquals(0, count(store, List.of(1), "SELECT count(*) FROM audience_members"));
            assertEquals(2, count(store, null, "SELECT count(*) FROM audience_members"));
        }
    }

    @Test
    void aViewWhoseFilesWereMergedAwayFailsAsMovedAndANewOneReadsThem() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            store.append(0, 0, row("acme", "p0", "m1", "Product Viewed", null));
            store.flush();
            store.append(0, 1, row("acme", "p0", "m2", "Product Viewed", null));
            store.flush();
            try (Connection before = store.openQuery(List.of(0));
                    Statement s = before.createStatement()) {
                assertEquals(2, store.compact(2), "two files merged into one");
                SQLException moved =
                        assertThrows(SQLException.class, () -> s.executeQuery("SELECT count(*) FROM events"));
                assertTrue(EventStore.filesMoved(moved), moved.getMessage());
            }
            assertEquals(2, count(store, List.of(0), "SELECT count(*) FROM events"), "a new view reads them");
            assertFalse(EventStore.filesMoved(new SQLException("Parser Error: syntax error")));
        }
    }

    private static long count(EventStore store, List<Integer> partitions, String sql) throws SQLException {
        try (Connection c = store.openQuery(partitions);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static long count(EventStore store, String sql) throws SQLException {
        try (Connection c = store.openQuery();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Events per profile, as the analyses see them: "a=2 b=1". */
    private static String owners(EventStore store) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = store.openQuery();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(
                        "SELECT profile_id, count(*) FROM events GROUP BY profile_id ORDER BY profile_id")) {
            while (r.next()) {
                out.append(out.isEmpty() ? "" : " ")
                        .append(r.getString(1))
                        .append('=')
                        .append(r.getLong(2));
            }
        }
        return out.toString();
    }

    private static List<EventStore.EventId> ids(String... messageIds) {
        return java.util.Arrays.stream(messageIds)
                .map(m -> new EventStore.EventId("src", m))
                .toList();
    }

    private static Row row(String tenant, String profile, String messageId, String name, Double revenue) {
        return new Row(tenant, profile, "src", messageId, name, T0, revenue, null, "{}");
    }
}
