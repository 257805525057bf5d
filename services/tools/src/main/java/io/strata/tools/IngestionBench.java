package io.strata.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Drives ingestion's {@code /v1/batch} with 1 KB events from this separate process, and runs
 * Kafka's own ProducerPerformance with the same record size and producer guarantees
 * (acks=all, idempotence), so the result is a ratio to the limit of this machine.
 */
@Command(
        name = "bench-ingestion",
        mixinStandardHelpOptions = true,
        description = "Ingestion throughput and latency against the raw Kafka producer.")
public final class IngestionBench implements Callable<Integer> {

    private static final Pattern RECORDS_PER_SEC = Pattern.compile("([0-9.]+) records/sec");

    @Option(names = "--url", required = true, description = "ingestion base URL, e.g. http://127.0.0.1:8081")
    URI url;

    @Option(names = "--write-key", required = true)
    String writeKey;

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
            defaultValue = "10",
            description = "seconds before measuring (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(
            names = "--duration",
            defaultValue = "20",
            description = "seconds of each measured phase (default ${DEFAULT-VALUE})")
    int durationSeconds;

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

    private HttpClient http;
    private String authorization;
    private String padding;

    @Override
    public Integer call() throws Exception {
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        authorization =
                "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        padding = "x"
                .repeat(Math.max(
                        0,
                        eventBytes
                                - event("00000000-0000-0000-0000-000000000000", 0, "")
                                        .length()));
        System.out.printf(
                "ingestion bench: %s, %d connections, %d events of %d bytes per request%n",
                url,
                connections,
                batchSize,
                event(UUID.randomUUID().toString(), 0, padding).length());

        System.out.printf("warming up for %d s...%n", warmupSeconds);
        Phase warmup = run(warmupSeconds, 0);
        check(warmup);
        System.out.printf("maximum rate for %d s...%n", durationSeconds);
        Phase max = run(durationSeconds, 0);
        check(max);
        System.out.printf(
                "  %,.0f events/s, request p50 %.1f ms, p99 %.1f ms, %d refused%n",
                max.eventsPerSecond(),
                max.latencies().percentileMillis(50),
                max.latencies().percentileMillis(99),
                max.refused());
        double halfRate = max.eventsPerSecond() / 2;
        System.out.printf("half the maximum rate (%,.0f events/s) for %d s...%n", halfRate, durationSeconds);
        Phase half = run(durationSeconds, halfRate);
        check(half);
        System.out.printf(
                "  %,.0f events/s, request p50 %.1f ms, p99 %.1f ms, %d refused%n",
                half.eventsPerSecond(),
                half.latencies().percentileMillis(50),
                half.latencies().percentileMillis(99),
                half.refused());

        double raw = Double.NaN;
        if (kafkaLib != null && Files.isDirectory(kafkaLib)) {
            long records =
                    Math.max(100_000L, Math.min(2_000_000L, Math.round(max.eventsPerSecond() * durationSeconds)));
            System.out.printf(
                    "raw Kafka producer (ProducerPerformance, %,d records of %d bytes, acks=all, idempotent)...%n",
                    records, eventBytes);
            raw = producerPerformance(records);
            System.out.printf("  %,.0f records/s%n", raw);
        } else {
            System.out.println("raw Kafka producer: skipped (no --kafka-lib)");
        }
        double ratio = max.eventsPerSecond() / raw;
        String last = String.format(
                Locale.ROOT,
                "events_per_s=%.0f p50_ms=%.1f p99_ms=%.1f raw_kafka_events_per_s=%.0f ratio=%.2f",
                max.eventsPerSecond(),
                half.latencies().percentileMillis(50),
                half.latencies().percentileMillis(99),
                raw,
                ratio);
        if (report != null) {
            String row = String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %,.0f | %.1f | %.1f | %.1f | %.1f | %,.0f | %.2f |%n",
                    Instant.now().toString().substring(0, 16).replace('T', ' '),
                    connections,
                    batchSize,
                    max.eventsPerSecond(),
                    max.latencies().percentileMillis(50),
                    max.latencies().percentileMillis(99),
                    half.latencies().percentileMillis(50),
                    half.latencies().percentileMillis(99),
                    raw,
                    ratio);
            Files.writeString(report, row, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        System.out.println(last);
        return 0;
    }

    /** Results of one phase. */
    record Phase(double eventsPerSecond, Latencies latencies, long refused) {}

    private static void check(Phase phase) {
        if (phase.latencies().count() == 0) {
            throw new IllegalStateException("no request succeeded; is ingestion running and the write key right?");
        }
    }

    /**
     * {@code connections} clients for {@code seconds}: as fast as answers come (targetRate 0), or
     * paced to {@code targetRate} events/s in total, latency then counted from each request's
     * scheduled time so a slow answer cannot hide the queueing behind it.
     */
    private Phase run(int seconds, double targetRate) throws InterruptedException {
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
                long next = start + (interval > 0 ? interval * client / connections : 0);
                while (true) {
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
                    int status = post(batch(client));
                    long done = System.nanoTime();
                    if (status == 200) {
                        accepted.addAndGet(batchSize);
                        latencies.add((done - sentAt) / 1_000);
                    } else {
                        refused.incrementAndGet();
                    }
                    next += interval;
                }
            }));
        }
        for (Thread client : clients) {
            client.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Phase(accepted.get() / elapsed, latencies, refused.get());
    }

    private int post(String body) {
        HttpRequest request = HttpRequest.newBuilder(url.resolve("/v1/batch"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String batch(int client) {
        StringBuilder body = new StringBuilder(batchSize * (eventBytes + 2) + 32).append("{\"batch\":[");
        for (int i = 0; i < batchSize; i++) {
            body.append(i == 0 ? "" : ",")
                    .append(event(
                            messageId(),
                            client * 100_000 + ThreadLocalRandom.current().nextInt(100_000),
                            padding));
        }
        return body.append("]}").toString();
    }

    /** A random id without SecureRandom, whose cost and contention would load the shared cores. */
    private static String messageId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private static String event(String messageId, int user, String padding) {
        return "{\"type\":\"track\",\"userId\":\"bench-" + String.format("%06d", user % 1_000_000)
                + "\",\"messageId\":\""
                + messageId + "\",\"event\":\"Product Viewed\",\"properties\":{\"product_id\":\"SKU-1042\","
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
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (RECORDS_PER_SEC.matcher(line).find()) {
                    last = line;
                }
            }
        }
        if (process.waitFor() != 0 || last == null) {
            throw new IllegalStateException("ProducerPerformance failed (exit " + process.exitValue() + ")");
        }
        Matcher m = RECORDS_PER_SEC.matcher(last);
        m.find();
        return Double.parseDouble(m.group(1));
    }
}
