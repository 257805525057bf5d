package io.strata.tools;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Waits until consumer groups have read everything on their topics, counting events, not offsets:
 * on a topic written in transactions (dedup-service's output) every commit leaves a marker that
 * takes an offset but is no event, so a consumer that read every event still "lags" by the
 * markers after its last one. Where the offset gap is small, the events in it are counted with a
 * {@code read_committed} reader.
 */
@Command(
        name = "wait-for-pipeline",
        mixinStandardHelpOptions = true,
        description = "Wait until consumer groups have read every event on their topics.")
public final class PipelineWait implements Callable<Integer> {

    /**
     * Offset gaps up to this size are read to tell events from transaction markers (about one a
     * partition once a group is through); larger ones are reported as they are.
     */
    static final long COUNT_BELOW = 1_000;
    /** What one request to Kafka may take before the broker counts as not answering. */
    private static final String API_TIMEOUT_MS = "10000";

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka (default ${DEFAULT-VALUE})")
    String bootstrap;

    @Option(
            names = "--group",
            required = true,
            description = "LABEL=GROUP (repeatable), e.g. profile-service=profile-service")
    List<String> groups;

    @Option(
            names = "--timeout",
            defaultValue = "600",
            description = "seconds to wait at most (default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--interval", defaultValue = "1", description = "seconds between checks (default ${DEFAULT-VALUE})")
    long intervalSeconds;

    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        Map<String, String> labelled = new LinkedHashMap<>();
        for (String group : groups) {
            int eq = group.indexOf('=');
            labelled.put(eq < 0 ? group : group.substring(0, eq), eq < 0 ? group : group.substring(eq + 1));
        }
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(timeoutSeconds).toNanos();
        try (Admin admin = Admin.create(Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        API_TIMEOUT_MS,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        API_TIMEOUT_MS));
                KafkaConsumer<byte[], byte[]> reader = reader()) {
            while (true) {
                Map<String, Long> pending = new LinkedHashMap<>();
                try {
                    for (var entry : labelled.entrySet()) {
                        pending.put(entry.getKey(), pending(admin, reader, entry.getValue()));
                    }
                } catch (ExecutionException | KafkaException e) {
                    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    err.printf("%nstrata: Kafka at %s does not answer: %s%n", bootstrap, cause.getMessage());
                    return 1;
                }
                String status = describe(pending);
                if (pending.values().stream().allMatch(n -> n == 0)) {
                    err.printf(
                            "\rstrata: the pipeline caught up after %d s%s%n",
                            Duration.ofNanos(System.nanoTime() - started).toSeconds(), " ".repeat(60));
                    return 0;
                }
                if (System.nanoTime() > deadline) {
                    err.printf(
                            "%nstrata: the pipeline has not caught up within %d s (%s); see ./strata logs%n",
                            timeoutSeconds, status);
                    return 1;
                }
                err.printf("\rstrata: catching up: %s   ", status);
                Thread.sleep(Duration.ofSeconds(intervalSeconds));
            }
        }
    }

    private static String describe(Map<String, Long> pending) {
        List<String> parts = new ArrayList<>();
        pending.forEach(
                (label, n) -> parts.add(label + (n < 0 ? " not started" : String.format(" %,d events to go", n))));
        return String.join(", ", parts);
    }

    /** Events the group has yet to read over its partitions; -1 while it has committed nothing. */
    long pending(Admin admin, KafkaConsumer<byte[], byte[]> reader, String group)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        committed.values().removeIf(o -> o == null);
        if (committed.isEmpty()) {
            return -1;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        // read_committed: up to the last stable offset, what a transactional consumer can read
        var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get();
        long total = 0;
        for (var entry : committed.entrySet()) {
            long from = entry.getValue().offset();
            long to = ends.get(entry.getKey()).offset();
            total += gap(reader, entry.getKey(), from, to);
        }
        return total;
    }

    /** The events between two offsets: the gap itself when large, else counted. */
    static long gap(KafkaConsumer<byte[], byte[]> reader, TopicPartition partition, long from, long to) {
        if (to <= from) {
            return 0;
        }
        if (to - from > COUNT_BELOW) {
            return to - from;
        }
        reader.assign(List.of(partition));
        reader.seek(partition, from);
        long events = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (reader.position(partition) < to && System.nanoTime() < deadline) {
            for (var record : reader.poll(Duration.ofMillis(200))) {
                if (record.offset() < to) {
                    events++;
                }
            }
        }
        // what could not be read in time counts as events still to go
        return events + Math.max(0, to - reader.position(partition));
    }

    private KafkaConsumer<byte[], byte[]> reader() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, API_TIMEOUT_MS);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, API_TIMEOUT_MS);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
