package io.strata.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Drives ingestion's {@code /v1/batch} with 1 KB events from this separate process, and Kafka's own
 * ProducerPerformance with the same record size and producer guarantees (acks=all, idempotence),
 * in alternating rounds: on a shared machine the limit itself moves between runs (the raw producer
 * was seen at 68 K and at 104 K records/s on the same kind of machine), so each round's ratio is
 * taken against the producer measured next to it, and the median ratio of the rounds is the
 * figure, with their spread. Ingestion's CPU seconds per 1,000 events (from /proc) do not depend on
 * how fast the machine is.
 */
@Command(
        name = "bench-ingestion",
        mixinStandardHelpOptions = true,
        description = "Ingestion throughput, CPU per event and latency against the raw Kafka producer.")
public final class IngestionBench implements Callable<Integer> {

    private static final Pattern RECORDS_PER_SEC = Pattern.compile("([0-9.]+) records/sec");
    /** Request bodies prepared in advance, so the driver's own work stays small beside the service's. */
    private static final int PREPARED = 64;
    /** The paced phase's own warm-up: its rate is new to the service and to the driver. */
    private static final int PACED_WARMUP_SECONDS = 10;

    @Option(names = "--url", required = true, description = "ingestion base URL, e.g. http://127.0.0.1:8081")
    URI url;

    @Option(
            names = "--write-key",
            defaultValue = "${env:STRATA_WRITE_KEY}",
            description = "the source's write key (default: the environment's STRATA_WRITE_KEY)")
    String writeKey;

    @Option(
            names = "--pid",
            description = "the ingestion process, for its CPU time per event (Linux /proc); skipped when absent")
    Long pid;

    @Option(names = "--connections", defaultValue = "8", description = "concurrent clients (default ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--batch-size", defaultValue = "100", description = "events per request (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(
            names = "--event-bytes",
            defaultValue = "1024",
            description = "size of one event's JSON (default ${DEFAULT-VALUE})")
    int eventBytes;

    @Option(
            names = "--warmup",
            defaultValue = "30",
            description = "seconds before measuring, for the JIT to settle (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(
            names = "--duration",
            defaultValue = "15",
            description = "seconds of each measured ingestion phase (default ${DEFAULT-VALUE})")
    int durationSeconds;

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description = "alternating rounds of ingestion and raw producer (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(
            names = "--kafka-lib",
            description = "directory of the Kafka jars (for ProducerPerformance); skipped when absent")
    Path kafkaLib;

    @Option(names = "--kafka-bootstrap", defaultValue = "127.0.0.1:9092")
    String kafkaBootstrap;

    @Option(names = "--raw-topic", defaultValue = "strata.bench.raw.v1")
    String rawTopic;

    @Option(names = "--report", description = "append the results, as a Markdown table row, to this file")
    Path report;

    @Option(names = "--figures", description = "write the figures line to this file too (the launcher prints it last)")
    Path figures;

    private String authorization;
    private String padding;
    private final List<String> bodies = new ArrayList<>();
    private final List<byte[]> requests = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (writeKey == null || writeKey.isBlank()) {
            System.err.println("bench-ingestion: --write-key is required (or STRATA_WRITE_KEY in the environment)");
            return 2;
        }
        if (rounds < 1) {
            System.err.println("bench-ingestion: --rounds must be at least 1");
            return 2;
        }
        authorization =
                "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        padding = "x"
                .repeat(Math.max(
                        0,
                        eventBytes
                                - event("00000000-0000-0000-0000-000000000000", 0, "")
                                        .length()));
        for (int i = 0; i < PREPARED; i++) {
            bodies.add(batch(i));
            requests.add(BenchConnection.post(url, "/v1/batch", authorization, bodies.get(i)));
        }
        System.out.printf(
                "ingestion bench: %s, %d connections, %d events of %d bytes per request, %d rounds%n",
                url,
                connections,
                batchSize,
                event(UUID.randomUUID().toString(), 0, padding).length(),
                rounds);

        System.out.printf("warming up for %d s...%n", warmupSeconds);
        check(run(warmupSeconds));

        boolean raw = kafkaLib != null && Files.isDirectory(kafkaLib);
        double[] rates = new double[rounds];
        double[] raws = new double[rounds];
        double[] ratios = new double[rounds];
        double[] cpu = new double[rounds];
        Phase[] phases = new Phase[rounds];
        for (int r = 0; r < rounds; r++) {
            settleDisk();
            long cpuBefore = cpuTicks();
            Phase max = run(durationSeconds);
            long cpuAfter = cpuTicks();
            check(max);
            phases[r] = max;
            rates[r] = max.eventsPerSecond();
            cpu[r] = cpuBefore < 0 || cpuAfter < 0 || max.accepted() == 0
                    ? Double.NaN
                    : (cpuAfter - cpuBefore) / (double) ticksPerSecond() / max.accepted() * 1000;
            System.out.printf(
                    "round %d: ingestion %,.0f events/s (p50 %.1f ms, p99 %.1f ms, %d refused), %.3f CPU s per 1,000 events%n",
                    r + 1, max.eventsPerSecond(), max.p50(), max.p99(), max.refused(), cpu[r]);
            if (raw) {
                long records =
                        Math.max(100_000L, Math.min(3_000_000L, Math.round(max.eventsPerSecond() * durationSeconds)));
                settleDisk(); // the ingestion phase's gigabyte written back before the producer's, too
                raws[r] = producerPerformance(records);
                ratios[r] = rates[r] / raws[r];
                System.out.printf(
                        "round %d: raw Kafka producer %,.0f records/s (%,d records of %d bytes, acks=all, idempotent): ratio %.2f%n",
                        r + 1, raws[r], records, eventBytes, ratios[r]);
            } else {
                raws[r] = Double.NaN;
                ratios[r] = Double.NaN;
            }
        }

        double rate = median(rates);
        // the round whose rate is the median: its latencies go with the rate reported
        Phase middle = phases[0];
        for (Phase phase : phases) {
            if (Math.abs(phase.eventsPerSecond() - rate) < Math.abs(middle.eventsPerSecond() - rate)) {
                middle = phase;
            }
        }
        double halfRate = rate / 2;
        System.out.printf(
                "half the median rate (%,.0f events/s), open loop: %d s unmeasured, then %d s...%n",
                halfRate, PACED_WARMUP_SECONDS, durationSeconds);
        settleDisk();
        paced(PACED_WARMUP_SECONDS, halfRate);
        Phase half = paced(durationSeconds, halfRate);
        check(half);
        System.out.printf(
                "  %,.0f events/s, request p50 %.1f ms, p99 %.1f ms, %d refused%n",
                half.eventsPerSecond(), half.p50(), half.p99(), half.refused());

        double ratio = median(ratios);
        String spread = raw ? String.format(Locale.ROOT, "%.2f-%.2f", min(ratios), max(ratios)) : "n/a";
        String line = String.format(
                Locale.ROOT,
                "events_per_s=%.0f p50_ms=%.1f p99_ms=%.1f raw_kafka_events_per_s=%.0f ratio=%.2f ratio_spread=%s"
                        + " cpu_s_per_1000_events=%.3f rounds=%d",
                rate,
                half.p50(),
                half.p99(),
                median(raws),
                ratio,
                spread,
                median(cpu),
                rounds);
        if (report != null) {
            String row = String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %,.0f | %.1f | %.1f | %.1f | %.1f | %,.0f | %.2f | %s | %.3f |%n",
                    Instant.now().toString().substring(0, 16).replace('T', ' '),
                    connections,
                    batchSize,
                    rate,
                    middle.p50(),
                    middle.p99(),
                    half.p50(),
                    half.p99(),
                    median(raws),
                    ratio,
                    spread,
                    median(cpu));
            Files.writeString(report, row, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        if (figures != null) {
            Files.writeString(figures, line + System.lineSeparator());
        } else {
            System.out.println(line);
        }
        return 0;
    }

    /** Results of one phase: request latencies in milliseconds. */
    record Phase(double eventsPerSecond, long accepted, double p50, double p99, long refused) {}

    private static void check(Phase phase) {
        if (phase.accepted() == 0) {
            throw new IllegalStateException("no request succeeded; is ingestion running and the write key right?");
        }
    }

    static double median(double[] values) {
        double[] known =
                Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (known.length == 0) {
            return Double.NaN;
        }
        int mid = known.length / 2;
        return known.length % 2 == 1 ? known[mid] : (known[mid - 1] + known[mid]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    /**
     * Writes the page cache's dirty pages out ({@code sync}) before a measured phase: the gigabyte
     * the phase before wrote would otherwise be written back during this one, and the broker's
     * appends stall behind it (seen as p99 of 300–400 ms in the phases right after a raw producer
     * round, 27 ms in the others).
     */
    private static void settleDisk() throws InterruptedException {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor(120, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no sync command: the phases overlap with write-back, as they would without it
        }
    }

    /** utime + stime of the ingestion process, in clock ticks; -1 when unknown. */
    private long cpuTicks() {
        if (pid == null) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", pid.toString(), "stat"));
            // fields after the command name (which may hold spaces) in parentheses
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Linux's USER_HZ: 100 on every mainstream kernel. */
    private static long ticksPerSecond() {
        return 100;
    }

    /** {@code connections} clients for {@code seconds}, each sending as soon as its last answer came. */
    private Phase run(int seconds) throws InterruptedException {
        return clients(seconds, 0);
    }

    /**
     * Open loop for {@code seconds} at {@code targetRate} events/s in total: each of the {@code
     * connections} clients has its own schedule, and each request's latency is counted from its
     * scheduled time, so a slow answer cannot hide the queueing behind it.
     */
    private Phase paced(int seconds, double targetRate) throws InterruptedException {
        return clients(seconds, targetRate);
    }

    private Phase clients(int seconds, double targetRate) throws InterruptedException {
        Latencies latencies = new Latencies();
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        long interval = targetRate > 0 ? (long) (1e9 * batchSize * connections / targetRate) : 0;
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int client = c;
            clients.add(Thread.ofPlatform().name("bench-" + c).start(() -> {
                try (BenchConnection connection = new BenchConnection(url)) {
                    long next = start + interval * client / connections;
                    for (int n = client; ; n++, next += interval) {
                        if (interval > 0) {
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                        }
                        long sentAt = interval > 0 ? next : System.nanoTime();
                        if (sentAt >= end) {
                            return;
                        }
                        int status = connection.exchange(requests.get(n % PREPARED));
                        if (status == 200) {
                            accepted.addAndGet(batchSize);
                            latencies.add((System.nanoTime() - sentAt) / 1_000);
                        } else {
                            refused.incrementAndGet();
                        }
                    }
                }
            }));
        }
        for (Thread client : clients) {
            client.join();
        }
        return phase(accepted.get(), (System.nanoTime() - start) / 1e9, latencies, refused.get());
    }

    private static Phase phase(long accepted, double elapsedSeconds, Latencies latencies, long refused) {
        return new Phase(
                accepted / elapsedSeconds,
                accepted,
                latencies.percentileMillis(50),
                latencies.percentileMillis(99),
                refused);
    }

    /**
     * A request of {@code batchSize} events with messageIds of its own. Requests are sent again and
     * again: ingestion keeps no window across requests (dedup-service does, and does not run here),
     * so a resent request costs what a new one costs.
     */
    private String batch(int seed) {
        StringBuilder body = new StringBuilder(batchSize * (eventBytes + 2) + 32).append("{\"batch\":[");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < batchSize; i++) {
            body.append(i == 0 ? "" : ",")
                    .append(event(
                            new UUID(random.nextLong(), random.nextLong()).toString(),
                            seed * 100_000 + random.nextInt(100_000),
                            padding));
        }
        return body.append("]}").toString();
    }

    private static String event(String messageId, int user, String padding) {
        return "{\"type\":\"track\",\"userId\":\"bench-" + String.format("%06d", user % 1_000_000)
                + "\",\"messageId\":\"" + messageId
                + "\",\"event\":\"Product Viewed\",\"properties\":{\"product_id\":\"SKU-1042\","
                + "\"category\":\"Serum\",\"price\":329.0,\"currency\":\"CNY\",\"note\":\"" + padding + "\"}}";
    }

    /** Kafka's ProducerPerformance in its own JVM, with the guarantees ingestion's producer has. */
    private double producerPerformance(long records) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(
                java,
                "-Xmx512m",
                "-cp",
                kafkaLib.toAbsolutePath() + "/*",
                "org.apache.kafka.tools.ProducerPerformance",
                "--topic",
                rawTopic,
                "--num-records",
                Long.toString(records),
                "--record-size",
                Integer.toString(eventBytes),
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + kafkaBootstrap,
                "acks=all",
                "enable.idempotence=true",
                "linger.ms=5");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String last = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                output.append(line).append('\n');
                if (RECORDS_PER_SEC.matcher(line).find()) {
                    last = line;
                }
            }
        }
        if (process.waitFor() != 0 || last == null) {
            throw new IllegalStateException("ProducerPerformance failed (exit " + process.exitValue() + "):\n"
                    + output.substring(Math.max(0, output.length() - 2000)));
        }
        Matcher m = RECORDS_PER_SEC.matcher(last);
        m.find();
        return Double.parseDouble(m.group(1));
    }
}
