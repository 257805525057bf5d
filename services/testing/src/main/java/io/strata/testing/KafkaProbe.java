package io.strata.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from the offsets it had when the probe was created, so a test sees only
 * what was written after it started, whatever earlier runs left in the shared broker.
 */
public final class KafkaProbe implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;

    public KafkaProbe(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "strata-test-probe-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
        ends.forEach(consumer::seek);
    }

    /** Every record written since the probe started, read until {@code quiet} passes with nothing new. */
    public List<ConsumerRecord<String, byte[]>> drain(Duration quiet) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        Instant lastSeen = Instant.now();
        while (Duration.between(lastSeen, Instant.now()).compareTo(quiet) < 0) {
            var batch = consumer.poll(Duration.ofMillis(200));
            if (!batch.isEmpty()) {
                batch.forEach(records::add);
                lastSeen = Instant.now();
            }
        }
        return records;
    }

    /** Reads until {@code count} records match or {@code timeout} passes; returns the matches. */
    public List<ConsumerRecord<String, byte[]>> await(
            Predicate<ConsumerRecord<String, byte[]>> match, int count, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> matches = new ArrayList<>();
        Instant deadline = Instant.now().plus(timeout);
        while (matches.size() < count && Instant.now().isBefore(deadline)) {
            for (var record : consumer.poll(Duration.ofMillis(200))) {
                if (match.test(record)) {
                    matches.add(record);
                }
            }
        }
        return matches;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
