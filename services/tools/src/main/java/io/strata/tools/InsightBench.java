package io.strata.tools;

import io.strata.insight.association.AssociationRules;
import io.strata.insight.association.Baskets;
import io.strata.insight.association.Rule;
import io.strata.insight.funnel.Funnel;
import io.strata.insight.funnel.Step;
import io.strata.insight.query.FeatureIndex;
import io.strata.insight.query.FunnelQuery;
import io.strata.insight.query.Insights;
import io.strata.insight.query.RetentionQuery;
import io.strata.insight.retention.Retention;
import io.strata.insight.store.EventStore;
import io.strata.insight.tgi.Tgi;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.roaringbitmap.RoaringBitmap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * insight-service's analyses at the scale, in this process, on its own files: TGI of a
 * 1 M-member audience over 1,000 features of 10 M profiles from the feature bitmaps; association
 * rules on the groceries data and on 1 M synthetic baskets, each beside Spark MLlib's FP-Growth in
 * local mode run in its own JVM on the same file (the counts compared for equality); and a 4-step
 * funnel and a 12-week retention table over 100 M stored events, computed in the engine. Our
 * timings are medians of warm rounds; Spark's is its fastest warm round. The last line printed is
 * the figures line.
 */
@Command(
        name = "bench-insight",
        mixinStandardHelpOptions = true,
        description = "insight-service's TGI, association rules (against Spark MLlib), funnel and retention at scale")
public final class InsightBench implements Callable<Integer> {

    @Option(names = "--groceries", required = true, description = "the groceries baskets (a basket a line)")
    Path groceries;

    @Option(names = "--work", required = true, description = "where the synthetic baskets and events are kept")
    Path work;

    @Option(
            names = "--spark",
            required = true,
            split = "\\|\\|",
            description = "the command running Spark's FP-Growth (its words separated by ||)")
    List<String> spark;

    @Option(names = "--profiles", defaultValue = "10000000")
    int profiles;

    @Option(names = "--audience", defaultValue = "1000000")
    int audience;

    @Option(names = "--baskets", defaultValue = "1000000")
    int basketCount;

    @Option(names = "--events", defaultValue = "100000000")
    long eventCount;

    @Option(names = "--rounds", defaultValue = "10", description = "timed rounds of the fast analyses")
    int rounds;

    @Option(
            names = "--memory-limit",
            defaultValue = "8GB",
            description = "the analytical engine's memory, as the service's strata.insight.store.memory-limit")
    String memoryLimit;

    @Option(names = "--report", description = "append the results, as a Markdown table row, to this file")
    Path report;

    /** The feature dimensions and their number of values: 1,000 in all. */
    static final Map<String, Integer> DIMENSIONS = new LinkedHashMap<>();

    static {
        DIMENSIONS.put("channel", 8);
        DIMENSIONS.put("topic", 60);
        DIMENSIONS.put("creator", 300);
        DIMENSIONS.put("category", 40);
        DIMENSIONS.put("product", 450);
        DIMENSIONS.put("city", 120);
        DIMENSIONS.put("city_tier", 6);
        DIMENSIONS.put("device", 6);
        DIMENSIONS.put("acquisition", 10);
    }

    private static final double GROCERIES_SUPPORT = 0.001;
    private static final double GROCERIES_CONFIDENCE = 0.5;
    private static final double SYNTHETIC_SUPPORT = 0.001;
    private static final double SYNTHETIC_CONFIDENCE = 0.3;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(work);
        List<String> problems = new ArrayList<>();

        // association rules: groceries, then 1 M synthetic baskets, each beside Spark
        // a round is tens of milliseconds: many warm-ups and rounds steady the median against JIT and GC
        Mined groceriesMined =
                mine("groceries", groceries, GROCERIES_SUPPORT, GROCERIES_CONFIDENCE, Math.max(rounds, 30), 30);
        int rules463 = AssociationRules.mine(read(groceries), new AssociationRules.Settings(0.006, 0.25, 10))
                .rules()
                .size();
        if (rules463 != 463) {
            problems.add("groceries at 0.006 / 0.25: " + rules463 + " rules, the published count is 463");
        }
        Map<String, String> sparkGroceries = spark("groceries", groceries, GROCERIES_SUPPORT, GROCERIES_CONFIDENCE, 4);
        compare("groceries", groceriesMined, sparkGroceries, problems);

        Path synthetic = work.resolve("baskets-" + basketCount + ".csv");
        if (!Files.exists(synthetic)) {
            say("writing " + basketCount + " synthetic baskets to " + synthetic);
            writeBaskets(synthetic, basketCount);
        }
        Mined syntheticMined = mine("synthetic", synthetic, SYNTHETIC_SUPPORT, SYNTHETIC_CONFIDENCE, 5, 3);
        Map<String, String> sparkSynthetic = spark("synthetic", synthetic, SYNTHETIC_SUPPORT, SYNTHETIC_CONFIDENCE, 3);
        compare("synthetic", syntheticMined, sparkSynthetic, problems);

        // TGI from the feature bitmaps
        Tgis tgi = tgi(problems);

        // funnel and retention over the stored events
        Path store = work.resolve("events-" + eventCount);
        if (!Files.exists(store.resolve("complete"))) {
            writeEvents(store, eventCount);
        }
        long funnelMs;
        long retentionMs;
        try (EventStore events = EventStore.open(store, memoryLimit);
                Connection c = events.openQuery()) {
            Funnel.Settings funnel = Funnel.Settings.ordered(List.of(
                    Step.of("Content Viewed"),
                    Step.of("Product Viewed"),
                    Step.of("Product Added"),
                    Step.of("Order Completed")));
            FunnelQuery funnels = new FunnelQuery(c);
            long[] reached = new long[1];
            funnelMs = median(3, 1, () -> {
                var result = funnels.compute("bench", funnel, null, null, Insights.Period.ALL)
                        .get("");
                reached[0] = result.get(3).people();
                say(String.format(
                        Locale.ROOT,
                        "funnel: %,d started, %,d ordered",
                        result.get(0).people(),
                        reached[0]));
                return 0;
            });
            RetentionQuery retention = new RetentionQuery(c);
            Retention.Settings weeks = new Retention.Settings(Retention.Period.WEEK, 12, Retention.Mode.FIRST_TIME, 2);
            retentionMs = median(3, 1, () -> {
                var cohorts = retention.cohorts(
                        "bench",
                        "Order Completed",
                        "Order Completed",
                        weeks,
                        Insights.Period.ALL,
                        ZoneOffset.UTC,
                        RetentionQuery.Members.ALL);
                var all = Retention.overall(cohorts, 12);
                say(String.format(
                        Locale.ROOT,
                        "retention: %d weekly cohorts, %,d buyers, %.1f %% back in week 1",
                        cohorts.size(),
                        all.size(),
                        100.0 * all.rateOn(1)));
                return 0;
            });
        }

        long groceriesMs = groceriesMined.ms;
        long sparkGroceriesMs = Long.parseLong(sparkGroceries.get("warm_ms"));
        long basketsMs = syntheticMined.ms;
        long spark1mMs = Long.parseLong(sparkSynthetic.get("warm_ms"));
        say(String.format(
                Locale.ROOT,
                "TGI %d ms (≤ 100 ms); groceries %d ms (≤ 100 ms), %.1f× Spark; 1 M baskets %d ms, %.1f× faster"
                        + " than Spark warm (≥ 3×)",
                tgi.ms,
                groceriesMs,
                (double) sparkGroceriesMs / Math.max(1, groceriesMs),
                basketsMs,
                (double) spark1mMs / Math.max(1, basketsMs)));
        problems.forEach(p -> say("PROBLEM: " + p));
        if (report != null) {
            SegmentationBench.report(
                    report,
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d × %,d × %d | %d | %d / %d | %d | %d (cold %s) | %,d / %,d | %d | %d (cold %s) | %.1f× | %,d | %d | %d | %s |%n",
                            ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                            tgi.audience,
                            tgi.profiles,
                            tgi.features,
                            tgi.ms,
                            groceriesMined.itemsets,
                            groceriesMined.rules.size(),
                            groceriesMs,
                            sparkGroceriesMs,
                            sparkGroceries.get("cold_ms"),
                            syntheticMined.itemsets,
                            syntheticMined.rules.size(),
                            basketsMs,
                            spark1mMs,
                            sparkSynthetic.get("cold_ms"),
                            (double) spark1mMs / Math.max(1, basketsMs),
                            eventCount,
                            funnelMs,
                            retentionMs,
                            problems.isEmpty() ? "equal" : "**" + problems.size() + " differ**"));
        }
        System.out.printf(
                Locale.ROOT,
                "tgi_ms=%d groceries_ms=%d spark_groceries_ms=%d baskets_1m_ms=%d spark_1m_ms=%d funnel_ms=%d"
                        + " retention_ms=%d%n",
                tgi.ms,
                groceriesMs,
                sparkGroceriesMs,
                basketsMs,
                spark1mMs,
                funnelMs,
                retentionMs);
        return problems.isEmpty() ? 0 : 1;
    }

    record Mined(long ms, int itemsets, List<Rule> rules, Map<Integer, Integer> byLength) {}

    /** Itemsets and rules from the baskets in memory (as Spark's are in its cache): the median of warm rounds. */
    private static Mined mine(String name, Path file, double support, double confidence, int rounds, int warm)
            throws IOException {
        Baskets baskets = read(file);
        var settings = new AssociationRules.Settings(support, confidence, 10);
        AssociationRules.Result[] last = new AssociationRules.Result[1];
        long ms = median(rounds, warm, () -> {
            last[0] = AssociationRules.mine(baskets, settings);
            return 0;
        });
        Map<Integer, Integer> byLength = new TreeMap<>();
        last[0].rules().forEach(r -> byLength.merge(r.length(), 1, Integer::sum));
        say(String.format(
                Locale.ROOT,
                "%s: %,d baskets, %,d itemsets, %,d rules %s in %d ms",
                name,
                baskets.size(),
                last[0].itemsets().size(),
                last[0].rules().size(),
                byLength,
                ms));
        return new Mined(ms, last[0].itemsets().size(), last[0].rules(), byLength);
    }

    private Map<String, String> spark(String name, Path file, double support, double confidence, int rounds)
            throws IOException, InterruptedException {
        Path out = work.resolve("spark-" + name + ".txt");
        Files.deleteIfExists(out);
        List<String> command = new ArrayList<>(spark);
        command.addAll(List.of(
                "--baskets", file.toString(),
                "--min-support", String.valueOf(support),
                "--min-confidence", String.valueOf(confidence),
                "--rounds", String.valueOf(rounds),
                "--out", out.toString()));
        say("Spark MLlib FP-Growth on " + name + " (local mode, its own JVM)");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("spark-" + name + ".log").toFile())
                .start();
        if (p.waitFor() != 0 || !Files.exists(out)) {
            throw new IllegalStateException(
                    "Spark failed on " + name + "; see " + work.resolve("spark-" + name + ".log"));
        }
        Map<String, String> figures = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                figures.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        say("Spark on " + name + ": " + figures);
        return figures;
    }

    private static void compare(String name, Mined ours, Map<String, String> spark, List<String> problems) {
        StringBuilder lengths = new StringBuilder();
        ours.byLength.forEach((length, count) -> lengths.append(lengths.isEmpty() ? "" : ",")
                .append(length)
                .append(':')
                .append(count));
        if (ours.itemsets != Long.parseLong(spark.get("itemsets"))
                || ours.rules.size() != Long.parseLong(spark.get("rules"))
                || !lengths.toString().equals(spark.get("rules_by_length"))) {
            problems.add(name + ": " + ours.itemsets + " itemsets and " + ours.rules.size() + " rules (" + lengths
                    + ") here, " + spark.get("itemsets") + " and " + spark.get("rules") + " ("
                    + spark.get("rules_by_length") + ") in Spark");
        }
    }

    static Baskets read(Path file) throws IOException {
        Baskets.Builder builder = Baskets.builder();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            Set<String> items = new LinkedHashSet<>(Arrays.asList(line.split(",")));
            items.removeIf(String::isBlank);
            builder.add(items);
        }
        return builder.build();
    }

    /**
     * Baskets of a shop of 1,000 products in 20 themes of 50: a basket's theme is drawn by
     * popularity, its size is 1 + a geometric count (mean 3), and each item comes from the theme
     * (popular products first) or, one time in five, from anywhere.
     */
    static void writeBaskets(Path file, int count) throws IOException {
        SplittableRandom random = new SplittableRandom(20261204L);
        Sampler themes = new Sampler(20, 1.0);
        Sampler inTheme = new Sampler(50, 1.1);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int b = 0; b < count; b++) {
                int theme = themes.next(random);
                int size = 1;
                while (size < 20 && random.nextDouble() < 0.75) {
                    size++;
                }
                Set<Integer> items = new LinkedHashSet<>();
                for (int i = 0; i < size; i++) {
                    items.add(random.nextInt(5) == 0 ? random.nextInt(1000) : theme * 50 + inTheme.next(random));
                }
                StringBuilder line = new StringBuilder();
                for (int item : items) {
                    line.append(line.isEmpty() ? "" : ",").append('p').append(item);
                }
                w.write(line.toString());
                w.newLine();
            }
        }
    }

    record Tgis(long ms, long audience, int profiles, int features) {}

    /**
     * The feature bitmaps of {@code profiles} profiles: each has one city, city tier, device and
     * acquisition channel and one to a few channels, topics, creators, categories and products,
     * popular values first; the audience (about {@code audience} profiles) views topic 7 far more
     * often than the others, which TGI must rank first.
     */
    private Tgis tgi(List<String> problems) {
        say(String.format(Locale.ROOT, "TGI: building the feature bitmaps of %,d profiles", profiles));
        List<FeatureIndex.Feature> features = new ArrayList<>();
        Map<String, Integer> first = new HashMap<>();
        DIMENSIONS.forEach((dimension, values) -> {
            first.put(dimension, features.size());
            for (int v = 0; v < values; v++) {
                features.add(new FeatureIndex.Feature(dimension, dimension + "-" + v));
            }
        });
        RoaringBitmap[] bitmaps = new RoaringBitmap[features.size()];
        for (int i = 0; i < bitmaps.length; i++) {
            bitmaps[i] = new RoaringBitmap();
        }
        Map<String, Sampler> samplers = new HashMap<>();
        DIMENSIONS.forEach((dimension, values) -> samplers.put(dimension, new Sampler(values, 1.0)));
        Map<String, Integer> most = Map.of("channel", 3, "topic", 3, "creator", 3, "category", 3, "product", 4);
        SplittableRandom random = new SplittableRandom(42);
        RoaringBitmap members = new RoaringBitmap();
        double inAudience = (double) audience / profiles;
        int planted = first.get("topic") + 7;
        Map<String, Integer> ordinals = new HashMap<>(profiles * 4 / 3 + 1);
        for (int p = 0; p < profiles; p++) {
            ordinals.put(String.format("u%08d", p), p);
            boolean member = random.nextDouble() < inAudience;
            if (member) {
                members.add(p);
            }
            for (Map.Entry<String, Integer> d : DIMENSIONS.entrySet()) {
                int n = most.getOrDefault(d.getKey(), 1);
                int draws = n == 1 ? 1 : 1 + random.nextInt(n);
                for (int k = 0; k < draws; k++) {
                    bitmaps[first.get(d.getKey()) + samplers.get(d.getKey()).next(random)].add(p);
                }
            }
            if (random.nextDouble() < (member ? 0.4 : 0.05)) {
                bitmaps[planted].add(p);
            }
        }
        long bytes = 0;
        for (RoaringBitmap b : bitmaps) {
            b.runOptimize();
            bytes += b.getSizeInBytes();
        }
        FeatureIndex index = new FeatureIndex(ordinals, features, bitmaps, Instant.now());
        say(String.format(
                Locale.ROOT,
                "TGI: %,d features in %,d MB of bitmaps; the audience has %,d members",
                features.size(),
                bytes >> 20,
                members.getLongCardinality()));
        List<List<Tgi.Row>> rows = new ArrayList<>(List.of(List.of()));
        long ms = median(rounds, 3, () -> {
            rows.set(0, Tgi.compute(index.counts(members, index.all(), Set.of()), Tgi.Settings.DEFAULT));
            return 0;
        });
        Tgi.Row top = rows.get(0).get(0);
        say(String.format(
                Locale.ROOT,
                "TGI: %,d rows in %d ms; first %s = %s, index %.0f",
                rows.get(0).size(),
                ms,
                top.counts().dimension(),
                top.counts().value(),
                top.index()));
        if (!top.counts().value().equals(features.get(planted).value())) {
            problems.add("TGI ranks " + top.counts().value() + " first, not the planted "
                    + features.get(planted).value());
        }
        return new Tgis(ms, members.getLongCardinality(), profiles, features.size());
    }

    /**
     * {@code count} events of 2 M people over the 12 weeks from Monday 5 January 2026, written as
     * one Parquet file in the store's layout, with the store's offsets saying it is complete.
     */
    private static void writeEvents(Path store, long count) throws Exception {
        say(String.format(Locale.ROOT, "writing %,d events to %s (once; kept for the next run)", count, store));
        Path tenantDir = store.resolve("events").resolve("tenant=bench");
        Files.createDirectories(tenantDir);
        Path file = tenantDir.resolve("part-0-0-" + (count - 1) + "-c.parquet");
        long started = System.nanoTime();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 'u' || CAST(hash(i) % 2000000 AS VARCHAR) AS profile_id, 'bench' AS source_id,"
                    + " NULL::VARCHAR AS message_id,"
                    + " CASE WHEN r < 0.40 THEN 'Content Viewed' WHEN r < 0.70 THEN 'Product Viewed'"
                    + " WHEN r < 0.85 THEN 'Product Added' WHEN r < 0.95 THEN 'Order Completed' ELSE 'Signed Up' END AS name,"
                    + " TIMESTAMPTZ '2026-01-05 00:00:00+00' + to_microseconds(CAST(random() * 84 * 86400e6 AS BIGINT)) AS ts,"
                    + " CASE WHEN r >= 0.85 AND r < 0.95 THEN round(random() * 300, 2) END AS revenue,"
                    + " NULL::VARCHAR AS order_id, NULL::VARCHAR AS properties, NULL::VARCHAR AS device_type,"
                    + " NULL::VARCHAR AS campaign_source, NULL::VARCHAR AS traits"
                    + " FROM (SELECT range AS i, random() AS r FROM range(" + count + ")))"
                    + " TO '" + file + "' (FORMAT parquet)");
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + store.resolve("meta.duckdb"));
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS offsets (feed_partition INTEGER PRIMARY KEY, next_offset BIGINT)");
            s.execute("INSERT OR REPLACE INTO offsets VALUES (0, " + count + ")");
        }
        Files.writeString(store.resolve("complete"), "");
        say(String.format(
                Locale.ROOT,
                "written in %d s, %,d MB",
                (System.nanoTime() - started) / 1_000_000_000L,
                Files.size(file) >> 20));
    }

    @FunctionalInterface
    interface Round {
        int run() throws Exception;
    }

    /** The median milliseconds of {@code rounds} timed rounds after {@code warm} untimed ones. */
    static long median(int rounds, int warm, Round round) {
        return Math.round(SegmentationBench.median(
                () -> {
                    try {
                        round.run();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                warm,
                rounds));
    }

    private static void say(String line) {
        System.out.println("  " + line);
    }

    /** Draws 0..n-1 with weights 1 / (i + 1)^s. */
    static final class Sampler {
        private final double[] cumulative;

        Sampler(int n, double s) {
            cumulative = new double[n];
            double total = 0;
            for (int i = 0; i < n; i++) {
                total += 1 / Math.pow(i + 1, s);
                cumulative[i] = total;
            }
            for (int i = 0; i < n; i++) {
                cumulative[i] /= total;
            }
        }

        int next(SplittableRandom random) {
            int i = Arrays.binarySearch(cumulative, random.nextDouble());
            return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
        }
    }
}
