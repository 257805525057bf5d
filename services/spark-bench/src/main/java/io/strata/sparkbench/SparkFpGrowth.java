package io.strata.sparkbench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.fpm.FPGrowth;
import org.apache.spark.ml.fpm.FPGrowthModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Spark MLlib's FP-Growth in local mode on a file of baskets (a basket a line, its items separated
 * by commas), as a user of Spark would run it: the baskets cached in a DataFrame, then per round a
 * fit, the frequent itemsets counted (and kept) and the association rules counted. The first round
 * is cold (a fresh session, nothing compiled); the rounds after it are warm, and the fastest of them
 * is Spark's warm time (the yardstick's best). Writes its figures as {@code key=value} lines to
 * {@code --out}.
 *
 * <p>Arguments: {@code --baskets FILE --min-support S --min-confidence C --rounds N --out FILE}.
 */
public final class SparkFpGrowth {

    private SparkFpGrowth() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = options(args);
        Path baskets = Path.of(required(options, "--baskets"));
        double minSupport = Double.parseDouble(required(options, "--min-support"));
        double minConfidence = Double.parseDouble(required(options, "--min-confidence"));
        int rounds = Integer.parseInt(options.getOrDefault("--rounds", "4"));
        Path out = Path.of(required(options, "--out"));
        if (rounds < 2) {
            throw new IllegalArgumentException("--rounds must be at least 2 (one cold, one warm): " + rounds);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        SparkSession spark = SparkSession.builder()
                .appName("strata-bench-insight")
                .master("local[*]")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", String.valueOf(2 * cores))
                .config("spark.default.parallelism", String.valueOf(2 * cores))
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            Dataset<Row> data = read(spark, baskets, 2 * cores).cache();
            long n = data.count();
            FPGrowth fpGrowth = new FPGrowth()
                    .setItemsCol("items")
                    .setMinSupport(minSupport)
                    .setMinConfidence(minConfidence);
            List<Long> times = new ArrayList<>();
            long itemsets = -1;
            long rules = -1;
            FPGrowthModel model = null;
            for (int round = 0; round < rounds; round++) {
                if (model != null) {
                    model.freqItemsets().unpersist(true);
                }
                long started = System.nanoTime();
                model = fpGrowth.fit(data);
                Dataset<Row> frequent = model.freqItemsets().cache();
                long roundItemsets = frequent.count();
                long roundRules = model.associationRules().count();
                times.add((System.nanoTime() - started) / 1_000_000);
                if (round > 0 && (roundItemsets != itemsets || roundRules != rules)) {
                    throw new IllegalStateException("Spark's counts changed between rounds");
                }
                itemsets = roundItemsets;
                rules = roundRules;
            }
            // rules by length (antecedent plus the one item of the consequent), outside the timing
            Map<Integer, Long> byLength = new TreeMap<>();
            for (Row r : model.associationRules()
                    .groupBy(functions.size(functions.col("antecedent")).plus(1).alias("length"))
                    .count()
                    .collectAsList()) {
                byLength.put(r.getInt(0), r.getLong(1));
            }
            List<Long> warm = new ArrayList<>(times.subList(1, times.size()));
            warm.sort(null);
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
                w.println("baskets=" + n);
                w.println("itemsets=" + itemsets);
                w.println("rules=" + rules);
                StringBuilder lengths = new StringBuilder();
                byLength.forEach((length, count) -> lengths.append(lengths.isEmpty() ? "" : ",")
                        .append(length)
                        .append(':')
                        .append(count));
                w.println("rules_by_length=" + lengths);
                w.println("cold_ms=" + times.get(0));
                w.println("warm_ms=" + warm.get(0));
                w.println("rounds_ms=" + times);
                w.println("spark=" + spark.version() + " cores=" + cores + " java=" + Runtime.version());
            }
        } finally {
            spark.stop();
        }
    }

    private static Dataset<Row> read(SparkSession spark, Path file, int partitions) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            // an item once per basket, as FP-Growth requires
            LinkedHashSet<String> items = new LinkedHashSet<>(Arrays.asList(line.split(",")));
            items.removeIf(String::isBlank);
            rows.add(RowFactory.create((Object) items.toArray(String[]::new)));
        }
        StructType schema =
                new StructType().add("items", DataTypes.createArrayType(DataTypes.StringType, false), false);
        return spark.createDataFrame(rows, schema).repartition(partitions);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got: " + String.join(" ", args));
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }
}
