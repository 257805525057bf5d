package io.strata.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.segmentation.engine.BitmapEvaluator;
import io.strata.segmentation.engine.EventStore;
import io.strata.segmentation.engine.ProfileTable;
import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.ConditionParser;
import io.strata.segmentation.rules.FieldCatalog;
import io.strata.segmentation.rules.FieldType;
import io.strata.segmentation.service.PartitionSnapshot;
import io.strata.segmentation.service.TenantShard;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.PGCopyOutputStream;
import org.roaringbitmap.BatchIterator;
import org.roaringbitmap.RoaringBitmap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * segmentation-service's batch benchmark ({@code ./strata bench segmentation} runs it before the
 * real-time phase, {@link SegmentationRealtimeBench}): a brand of synthetic profiles (ten million
 * by default) with a membership level, spend, a last-seen date, an app-users audience and orders
 * with a category and revenue, loaded into the engine's {@link ProfileTable} in this process, into
 * PostgreSQL (kept between runs: made once per size and seed) and into DuckDB in-process. The same
 * five-condition question is put to all three, at the same instant: the engine evaluates the rule
 * in the condition language, the databases the SQL below; the three counts must agree, and each
 * answer's time is the median of several runs after warm-up. Then a thousand rules varied from the
 * same template are evaluated and kept, and the heap held with them all is measured after a full
 * collection.
 */
@Command(
        name = "bench-segmentation",
        mixinStandardHelpOptions = true,
        description = "segmentation-service's engine against PostgreSQL and DuckDB on one question over"
                + " synthetic profiles, and its heap for 1,000 segments.")
public final class SegmentationBench implements Callable<Integer> {

    static final String[] LEVELS = {"bronze", "silver", "gold", "platinum"};
    static final String[] CATEGORIES = {
        "skincare", "makeup", "fragrance", "haircare", "bodycare", "men", "tools", "gifts"
    };

    /** The rule: a categorical, a numeric range, a relative date, another segment, an event count. */
    static final String RULE = """
            {"all": [
              {"field": "traits.member_level", "op": "in", "value": ["gold", "platinum"]},
              {"field": "orders.revenue", "op": "between", "value": [200, 2000]},
              {"field": "profile.last_seen", "op": "within_last", "days": 30},
              {"segment": "app-users"},
              {"event": "Order Completed", "times": {"op": "at_least", "value": 2}, "within_days": 60,
               "where": [{"property": "category", "op": "eq", "value": "skincare"}]}
            ]}""";

    /** The same question over the same data, for PostgreSQL and DuckDB. */
    static final String SQL = """
            SELECT count(*) FROM bench_profiles p
            JOIN bench_segment_members s ON s.segment = 'app-users' AND s.profile = p.id
            WHERE p.member_level IN ('gold', 'platinum')
              AND p.revenue BETWEEN 200 AND 2000
              AND p.last_seen BETWEEN ? AND ?
              AND (SELECT count(*) FROM bench_events e
                   WHERE e.profile = p.id AND e.name = 'Order Completed' AND e.category = 'skincare'
                     AND e.occurred_at BETWEEN ? AND ?) >= 2""";

    @Option(names = "--profiles", description = "synthetic profiles (default ${DEFAULT-VALUE})")
    int profiles = 10_000_000;

    @Option(names = "--seed", description = "the data's seed (default ${DEFAULT-VALUE})")
    long seed = 12;

    @Option(names = "--runs", description = "timed runs of each answer after warm-up (default ${DEFAULT-VALUE})")
    int runs = 15;

    @Option(names = "--segments", description = "segments held for the heap figure (default ${DEFAULT-VALUE})")
    int segments = 1_000;

    @Option(names = "--jdbc", description = "PostgreSQL's JDBC URL (password in STRATA_BENCH_DB_PASSWORD)")
    String jdbc;

    @Option(names = "--db-user", description = "PostgreSQL's user (default ${DEFAULT-VALUE})")
    String dbUser = "strata_segmentation";

    @Option(names = "--out", description = "write the batch figures (name=value ...) to this file", required = true)
    Path out;

    @Option(
            names = "--steps",
            description = "time each condition of the rule alone on the candidates the ones before it leave, then stop")
    boolean steps;

    /** The instant every answer is asked at: the data's own "now", kept with it. */
    private Instant now;

    @Override
    public Integer call() throws Exception {
        Data data = Data.generate(profiles, seed);
        now = data.now;
        System.out.printf(
                Locale.ROOT,
                "%,d profiles, %,d orders, %,d app users; the question asked at %s%n",
                data.profiles,
                data.events,
                data.appUsers.getCardinality(),
                now);

        long heapBefore = usedHeapAfterGc();
        long started = System.nanoTime();
        ProfileTable table = data.table();
        System.out.printf(
                Locale.ROOT,
                "engine: loaded in %.1f s, %,d MB of heap%n",
                (System.nanoTime() - started) / 1e9,
                (usedHeapAfterGc() - heapBefore) >> 20);

        Map<String, RoaringBitmap> audiences = new HashMap<>();
        audiences.put("app-users", data.appUsers);
        ConditionParser parser = new ConditionParser(catalog());
        Condition rule = parser.parse(new ObjectMapper().readTree(RULE));
        long[] engineCount = {0};
        double engineMs = median(() -> {
            RoaringBitmap members = new BitmapEvaluator(table, now, audiences::get).evaluate(rule);
            engineCount[0] = members.getLongCardinality();
        });
        System.out.printf(
                Locale.ROOT, "engine:     %,d members in %.2f ms (median of %d)%n", engineCount[0], engineMs, runs);
        if (steps) {
            steps(table, rule, audiences);
            return 0;
        }
        double[] eventAlone = eventAlone(table, rule);

        double duckdbMs = duckdb(data, engineCount[0]);
        double postgresMs = postgres(data, engineCount[0]);

        // a thousand rules like the one above, with other levels, ranges, windows, categories and counts
        SplittableRandom random = new SplittableRandom(seed + 1);
        List<RoaringBitmap> held = new ArrayList<>(segments);
        long heapTable = usedHeapAfterGc();
        started = System.nanoTime();
        long members = 0;
        for (int i = 0; i < segments; i++) {
            Condition variant = parser.parse(new ObjectMapper().readTree(variant(random)));
            RoaringBitmap bitmap = new BitmapEvaluator(table, now, audiences::get).evaluate(variant);
            bitmap.runOptimize();
            members += bitmap.getLongCardinality();
            held.add(bitmap);
        }
        double allMs = (System.nanoTime() - started) / 1e6;
        long heapAll = usedHeapAfterGc();
        long segmentBytes =
                held.stream().mapToLong(RoaringBitmap::getLongSizeInBytes).sum();
        System.out.printf(
                Locale.ROOT,
                "engine:     %,d segments (%,d memberships) evaluated in %.0f ms; %,d MB of bitmaps;"
                        + " heap %,d MB in all, %,d MB of it the engine's%n",
                segments,
                members,
                allMs,
                segmentBytes >> 20,
                heapAll >> 20,
                (heapAll - heapBefore) >> 20);
        int heapMb = (int) (heapAll >> 20);

        // what a partition's owner stores of these profiles between restarts, and reads back
        started = System.nanoTime();
        PartitionSnapshot.Written snapshot = PartitionSnapshot.write(
                Map.of("bench", new TenantShard("bench", table)), table.zone(), LocalDate.ofInstant(now, table.zone()));
        double snapshotWriteS = (System.nanoTime() - started) / 1e9;
        started = System.nanoTime();
        PartitionSnapshot.Read restored = PartitionSnapshot.read(snapshot.chunks(), snapshot.checksum(), table.zone());
        double snapshotReadS = (System.nanoTime() - started) / 1e9;
        int restoredProfiles = restored.tenants().get("bench").table().size();
        restored = null;
        System.out.printf(
                Locale.ROOT,
                "snapshot:   %,d profiles written in %.1f s (%,d MB in %d chunks), read back in %.1f s (%,d profiles)%n",
                table.size(),
                snapshotWriteS,
                snapshot.bytes() >> 20,
                snapshot.chunks().size(),
                snapshotReadS,
                restoredProfiles);
        String figures = String.format(
                Locale.ROOT,
                "engine_ms=%.2f postgres_ms=%.1f duckdb_ms=%.1f heap_mb_1000_segments=%d members=%d"
                        + " profiles=%d events=%d segments_ms=%.0f segments_heap_mb=%d snapshot_write_s=%.1f"
                        + " snapshot_read_s=%.1f snapshot_mb=%d event_alone_ms=%.2f event_alone_read_ms=%.2f",
                engineMs,
                postgresMs,
                duckdbMs,
                heapMb,
                engineCount[0],
                data.profiles,
                data.events,
                allMs,
                (heapAll - heapTable) >> 20,
                snapshotWriteS,
                snapshotReadS,
                snapshot.bytes() >> 20,
                eventAlone[0],
                eventAlone[1]);
        Files.writeString(out, figures + System.lineSeparator());
        System.out.println(figures);
        // the table and the bitmaps stay reachable until the figure is taken
        return table.size() > 0 && held.size() == segments && restoredProfiles == table.size() ? 0 : 1;
    }

    /**
     * The rule's event count alone over every profile with such events, as the engine answers it (the
     * weekly postings decide most, the logs of the rest are read) and by reading every log: the
     * milliseconds of each.
     */
    private double[] eventAlone(ProfileTable table, Condition rule) {
        Condition.Performed performed = ((Condition.All) rule)
                .conditions().stream()
                        .filter(Condition.Performed.class::isInstance)
                        .map(Condition.Performed.class::cast)
                        .findFirst()
                        .orElseThrow();
        RoaringBitmap doers = table.events().performed(performed.event());
        BitmapEvaluator evaluator = new BitmapEvaluator(table, now, s -> new RoaringBitmap());
        long[] engine = {0};
        double engineMs = median(
                () -> engine[0] = evaluator.evaluate(performed, doers.clone()).getLongCardinality());
        EventStore.Counter counter = table.events().counter(performed, now);
        long[] read = {0};
        double readMs = median(() -> {
            int[] batch = new int[256];
            long[] counts = new long[batch.length];
            BatchIterator ordinals = doers.getBatchIterator();
            long meets = 0;
            while (ordinals.hasNext()) {
                int n = ordinals.nextBatch(batch);
                counter.count(batch, n, counts);
                for (int i = 0; i < n; i++) {
                    meets += counts[i] >= performed.count() ? 1 : 0;
                }
            }
            read[0] = meets;
        });
        if (engine[0] != read[0]) {
            throw new IllegalStateException(
                    "the event count alone: " + engine[0] + " by the engine, " + read[0] + " reading every log");
        }
        System.out.printf(
                Locale.ROOT,
                "engine:     the event count alone over the %,d profiles with orders: %,d members in %.2f ms;"
                        + " reading every log %.2f ms (%.1f×)%n",
                doers.getCardinality(),
                engine[0],
                engineMs,
                readMs,
                readMs / engineMs);
        return new double[] {engineMs, readMs};
    }

    /** Each condition of the rule alone, in the evaluator's order (segments, fields, events). */
    private void steps(ProfileTable table, Condition rule, Map<String, RoaringBitmap> audiences) {
        List<Condition> ordered = new ArrayList<>(((Condition.All) rule).conditions());
        ordered.sort(java.util.Comparator.comparingInt(c -> switch (c) {
            case Condition.InSegment in -> 0;
            case Condition.Performed performed -> 2;
            default -> 1;
        }));
        BitmapEvaluator evaluator = new BitmapEvaluator(table, now, audiences::get);
        RoaringBitmap candidates = table.live().clone();
        for (Condition step : ordered) {
            RoaringBitmap in = candidates;
            RoaringBitmap[] result = {null};
            double ms = median(() -> result[0] = evaluator.evaluate(step, in));
            System.out.printf(
                    Locale.ROOT,
                    "step:       %,d in, %,d out, %.2f ms: %s%n",
                    in.getCardinality(),
                    result[0].getCardinality(),
                    ms,
                    step);
            if (step instanceof Condition.Performed performed) {
                RoaringBitmap scan = RoaringBitmap.and(in, table.events().performed(performed.event()));
                EventStore.Narrowed[] narrowed = {null};
                double narrowMs = median(() -> narrowed[0] = table.events().narrow(performed, now, scan));
                System.out.printf(
                        Locale.ROOT,
                        "            of %,d with such events, the index decides %,d (%,d meet) in %.2f ms; %,d read%n",
                        scan.getCardinality(),
                        scan.getCardinality() - narrowed[0].unknown().getCardinality(),
                        narrowed[0].meets().getCardinality(),
                        narrowMs,
                        narrowed[0].unknown().getCardinality());
            }
            candidates = result[0];
        }
    }

    private static FieldCatalog catalog() {
        return new FieldCatalog(Map.of("member_level", FieldType.STRING), 400);
    }

    private String variant(SplittableRandom random) {
        List<String> levels = new ArrayList<>();
        for (String level : LEVELS) {
            if (random.nextBoolean()) {
                levels.add('"' + level + '"');
            }
        }
        if (levels.isEmpty()) {
            levels.add("\"gold\"");
        }
        int low = 50 * random.nextInt(20);
        int high = low + 100 + 100 * random.nextInt(30);
        List<String> parts = new ArrayList<>();
        parts.add("{\"field\": \"traits.member_level\", \"op\": \"in\", \"value\": " + levels + "}");
        parts.add("{\"field\": \"orders.revenue\", \"op\": \"between\", \"value\": [" + low + ", " + high + "]}");
        if (random.nextInt(3) > 0) {
            parts.add("{\"field\": \"profile.last_seen\", \"op\": \"within_last\", \"days\": "
                    + (7 + random.nextInt(90)) + "}");
        }
        if (random.nextBoolean()) {
            parts.add(
                    random.nextBoolean() ? "{\"segment\": \"app-users\"}" : "{\"not\": {\"segment\": \"app-users\"}}");
        }
        if (random.nextInt(4) > 0) {
            parts.add("{\"event\": \"Order Completed\", \"times\": {\"op\": \"at_least\", \"value\": "
                    + (1 + random.nextInt(3)) + "}, \"within_days\": " + (14 + random.nextInt(150))
                    + ", \"where\": [{\"property\": \"category\", \"op\": \"eq\", \"value\": \""
                    + CATEGORIES[random.nextInt(CATEGORIES.length)] + "\"}]}");
        }
        return "{\"all\": [" + String.join(", ", parts) + "]}";
    }

    private double duckdb(Data data, long expected) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:")) {
            long started = System.nanoTime();
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE bench_profiles (id INTEGER, member_level VARCHAR,"
                        + " revenue DOUBLE, last_seen TIMESTAMPTZ)");
                statement.execute("CREATE TABLE bench_segment_members (segment VARCHAR, profile INTEGER)");
                statement.execute("CREATE TABLE bench_events (profile INTEGER, name VARCHAR,"
                        + " occurred_at TIMESTAMPTZ, category VARCHAR, revenue DOUBLE)");
            }
            DuckDBConnection duck = connection.unwrap(DuckDBConnection.class);
            try (DuckDBAppender profilesOut = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "bench_profiles");
                    DuckDBAppender membersOut =
                            duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "bench_segment_members");
                    DuckDBAppender eventsOut = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "bench_events")) {
                data.rows(new Rows() {
                    @Override
                    public void profile(int id, String level, double revenue, long lastSeen) throws SQLException {
                        profilesOut.beginRow();
                        profilesOut.append(id);
                        if (level == null) {
                            profilesOut.appendNull();
                        } else {
                            profilesOut.append(level);
                        }
                        if (Double.isNaN(revenue)) {
                            profilesOut.appendNull();
                        } else {
                            profilesOut.append(revenue);
                        }
                        profilesOut.appendEpochMicros(lastSeen * 1000);
                        profilesOut.endRow();
                    }

                    @Override
                    public void member(int id) throws SQLException {
                        membersOut.beginRow();
                        membersOut.append("app-users");
                        membersOut.append(id);
                        membersOut.endRow();
                    }

                    @Override
                    public void event(int id, long at, String category, double revenue) throws SQLException {
                        eventsOut.beginRow();
                        eventsOut.append(id);
                        eventsOut.append("Order Completed");
                        eventsOut.appendEpochMicros(at * 1000);
                        eventsOut.append(category);
                        eventsOut.append(revenue);
                        eventsOut.endRow();
                    }
                });
            }
            System.out.printf(Locale.ROOT, "duckdb:     loaded in %.1f s%n", (System.nanoTime() - started) / 1e9);
            return timeSql("duckdb", connection, expected, true);
        }
    }

    private double postgres(Data data, long expected) throws SQLException, IOException {
        if (jdbc == null) {
            throw new IllegalArgumentException("--jdbc is required");
        }
        Properties props = new Properties();
        props.setProperty("user", dbUser);
        props.setProperty("password", System.getenv().getOrDefault("STRATA_BENCH_DB_PASSWORD", ""));
        try (Connection connection = DriverManager.getConnection(jdbc, props)) {
            String marker = "v2/" + profiles + "/" + seed + "/" + now;
            if (!marker.equals(loadedMarker(connection))) {
                long started = System.nanoTime();
                loadPostgres(connection, data, marker);
                System.out.printf(Locale.ROOT, "postgres:   loaded in %.1f s%n", (System.nanoTime() - started) / 1e9);
            } else {
                System.out.println("postgres:   the data of an earlier run, kept (" + marker + ")");
            }
            try (Statement statement = connection.createStatement()) {
                // compiling the plan costs more than it saves on a query of this size
                statement.execute("SET jit = off");
            }
            return timeSql("postgres", connection, expected, true);
        }
    }

    private static String loadedMarker(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT to_regclass('bench_loaded') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return null;
            }
        }
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT marker FROM bench_loaded")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private void loadPostgres(Connection connection, Data data, String marker) throws SQLException, IOException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS bench_loaded, bench_profiles, bench_segment_members, bench_events");
            statement.execute("CREATE TABLE bench_profiles (id integer PRIMARY KEY, member_level text,"
                    + " revenue double precision, last_seen timestamptz)");
            statement.execute("CREATE TABLE bench_segment_members (segment text, profile integer,"
                    + " PRIMARY KEY (segment, profile))");
            statement.execute("CREATE TABLE bench_events (profile integer, name text, occurred_at timestamptz,"
                    + " category text, revenue double precision)");
        }
        // one pass over the (regenerated) rows per table: each COPY streams, nothing is held
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        for (String table : List.of("bench_profiles", "bench_segment_members", "bench_events")) {
            try (Writer csv = new BufferedWriter(
                    new OutputStreamWriter(
                            new PGCopyOutputStream(copy.copyIn("COPY " + table + " FROM STDIN (FORMAT csv)"), 1 << 16),
                            StandardCharsets.UTF_8),
                    1 << 16)) {
                data.rows(new CsvRows(table, csv));
            }
        }
        try (Statement statement = connection.createStatement()) {
            // the events of a profile by an index-only scan: the subquery's best access path here
            statement.execute("CREATE INDEX ON bench_events (profile, name, category, occurred_at)");
            statement.execute("CREATE INDEX ON bench_profiles (member_level)");
            statement.execute("VACUUM ANALYZE bench_profiles");
            statement.execute("VACUUM ANALYZE bench_segment_members");
            statement.execute("VACUUM ANALYZE bench_events");
            statement.execute("CREATE TABLE bench_loaded (marker text)");
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO bench_loaded VALUES (?)")) {
            insert.setString(1, marker);
            insert.executeUpdate();
        }
    }

    private double timeSql(String name, Connection connection, long expected, boolean check) throws SQLException {
        Instant seenFrom = now.minus(Duration.ofDays(30));
        Instant orderedFrom = now.minus(Duration.ofDays(60));
        long[] count = {0};
        try (PreparedStatement query = connection.prepareStatement(SQL)) {
            query.setObject(1, seenFrom.atOffset(ZoneOffset.UTC));
            query.setObject(2, now.atOffset(ZoneOffset.UTC));
            query.setObject(3, orderedFrom.atOffset(ZoneOffset.UTC));
            query.setObject(4, now.atOffset(ZoneOffset.UTC));
            // PostgreSQL takes seconds a query here: fewer runs
            boolean slow = name.equals("postgres");
            int timed = slow ? Math.min(runs, 5) : runs;
            Runnable ask = () -> {
                try (ResultSet rs = query.executeQuery()) {
                    rs.next();
                    count[0] = rs.getLong(1);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            };
            double ms = median(ask, slow ? 1 : Math.max(3, runs / 3), timed);
            System.out.printf(
                    Locale.ROOT, "%-11s %,d members in %.1f ms (median of %d)%n", name + ":", count[0], ms, timed);
            if (check && count[0] != expected) {
                throw new IllegalStateException(
                        name + " counts " + count[0] + " members, the engine " + expected + ": the answers differ");
            }
            return ms;
        }
    }

    /** The median wall time of {@code runs} runs, after {@code max(3, runs / 3)} warm-up runs. */
    private double median(Runnable run) {
        return median(run, Math.max(3, runs / 3), runs);
    }

    static double median(Runnable run, int warmups, int runs) {
        for (int i = 0; i < warmups; i++) {
            run.run();
        }
        double[] times = new double[runs];
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            run.run();
            times[i] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(times);
        return times[runs / 2];
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Receives the synthetic data as rows. */
    interface Rows {
        /** A profile; level null and revenue NaN when it has none. */
        void profile(int id, String level, double revenue, long lastSeenMs) throws SQLException;

        void member(int id) throws SQLException;

        void event(int id, long atMs, String category, double revenue) throws SQLException;
    }

    /** The rows of one table as CSV. */
    private record CsvRows(String table, Writer out) implements Rows {
        @Override
        public void profile(int id, String level, double revenue, long lastSeenMs) throws SQLException {
            if (table.equals("bench_profiles")) {
                write(id + "," + (level == null ? "" : level) + "," + (Double.isNaN(revenue) ? "" : revenue) + ","
                        + Instant.ofEpochMilli(lastSeenMs) + "\n");
            }
        }

        @Override
        public void member(int id) throws SQLException {
            if (table.equals("bench_segment_members")) {
                write("app-users," + id + "\n");
            }
        }

        @Override
        public void event(int id, long atMs, String category, double revenue) throws SQLException {
            if (table.equals("bench_events")) {
                write(id + ",Order Completed," + Instant.ofEpochMilli(atMs) + "," + category + "," + revenue + "\n");
            }
        }

        private void write(String line) throws SQLException {
            try {
                out.write(line);
            } catch (IOException e) {
                throw new SQLException("COPY into " + table + " failed", e);
            }
        }
    }

    /**
     * The synthetic brand, made again identically from its size and seed: per profile a level
     * (60 % have one), a last-seen instant in the last 120 days, an app user or not (30 %), and
     * for 55 % orders (1–5, in the last 180 days, a category each, skincare the most common) whose
     * sum is the profile's revenue.
     */
    static final class Data {
        final int profiles;
        final long seed;
        final Instant now;
        final RoaringBitmap appUsers = new RoaringBitmap();
        long events;

        private Data(int profiles, long seed, Instant now) {
            this.profiles = profiles;
            this.seed = seed;
            this.now = now;
        }

        static Data generate(int profiles, long seed) {
            // a fixed instant per seed, so the databases' kept data and a new run agree
            Instant now = Instant.parse("2026-06-01T00:00:00Z").plus(Duration.ofDays(seed % 365));
            Data data = new Data(profiles, seed, now);
            try {
                data.rows(new Rows() {
                    @Override
                    public void profile(int id, String level, double revenue, long lastSeenMs) {}

                    @Override
                    public void member(int id) {
                        data.appUsers.add(id);
                    }

                    @Override
                    public void event(int id, long atMs, String category, double revenue) {
                        data.events++;
                    }
                });
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            data.appUsers.runOptimize();
            return data;
        }

        /** Every row, in the same order each time. */
        void rows(Rows rows) throws SQLException {
            SplittableRandom random = new SplittableRandom(seed);
            long nowMs = now.toEpochMilli();
            long day = 86_400_000L;
            long[] at = new long[5];
            String[] category = new String[5];
            double[] revenue = new double[5];
            for (int id = 0; id < profiles; id++) {
                int roll = random.nextInt(100);
                String level = roll < 40
                        ? null
                        : roll < 65 ? LEVELS[0] : roll < 83 ? LEVELS[1] : roll < 95 ? LEVELS[2] : LEVELS[3];
                long lastSeen = nowMs - random.nextLong(120 * day);
                int orders = random.nextInt(100) < 55 ? 1 + random.nextInt(5) : 0;
                double total = 0;
                for (int i = 0; i < orders; i++) {
                    at[i] = nowMs - random.nextLong(180 * day);
                    int c = random.nextInt(12);
                    category[i] = c < 5 ? CATEGORIES[0] : CATEGORIES[c - 4];
                    revenue[i] = 20 + random.nextInt(800);
                    total += revenue[i];
                }
                rows.profile(id, level, orders == 0 ? Double.NaN : total, lastSeen);
                if (random.nextInt(10) < 3) {
                    rows.member(id);
                }
                for (int i = 0; i < orders; i++) {
                    rows.event(id, at[i], category[i], revenue[i]);
                }
            }
        }

        /** The profiles in an engine table, with UUIDs for ids as profile-service gives them. */
        ProfileTable table() throws SQLException {
            ProfileTable table = new ProfileTable(ZoneOffset.UTC);
            long[] identity = {0};
            rows(new Rows() {
                @Override
                public void profile(int id, String level, double revenue, long lastSeenMs) {
                    int ordinal = table.ordinal(new UUID(seed, id).toString());
                    if (ordinal != id) {
                        throw new IllegalStateException("ordinal " + ordinal + " for profile " + id);
                    }
                    if (level != null) {
                        table.set(ordinal, "traits.member_level", FieldType.STRING, level);
                    }
                    if (!Double.isNaN(revenue)) {
                        table.set(ordinal, "orders.revenue", FieldType.NUMBER, revenue);
                    }
                    table.set(ordinal, "profile.last_seen", FieldType.DATE, Instant.ofEpochMilli(lastSeenMs));
                }

                @Override
                public void member(int id) {}

                @Override
                public void event(int id, long atMs, String category, double revenue) {
                    Map<String, Object> properties = new LinkedHashMap<>(4);
                    properties.put("category", category);
                    properties.put("revenue", revenue);
                    table.addEvent(id, ++identity[0], "Order Completed", Instant.ofEpochMilli(atMs), properties);
                }
            });
            table.compact();
            return table;
        }
    }

    /** Appends the run's row to the report. */
    static void report(Path report, String row) {
        try {
            Files.writeString(report, row, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
