package io.strata.dedup.streams;

import static io.strata.dedup.TestEvents.incomingKey;
import static io.strata.dedup.TestEvents.track;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.strata.proto.events.v1.Event;
import io.strata.testing.KafkaProbe;
import io.strata.testing.LocalStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window outlives the process: a replica restarted on its own disk, and one started on an
 * empty disk (another node) that restores the window from the changelog topic, both drop a repeat
 * of an event forwarded before. Runs the service's topology in Kafka Streams against the local
 * broker, exactly once, on topics of its own (one partition, so the order of records is the order
 * of processing).
 */
class DedupRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path firstDisk;

    @TempDir
    Path secondDisk;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<KafkaStreams> running = new ArrayList<>();
    private DedupTopology.Settings settings;
    private String applicationId;
    private Admin admin;
    private KafkaProducer<String, byte[]> producer;

    @BeforeEach
    void createTopics() throws Exception {
        LocalStack.requireKafka();
        String run = UUID.randomUUID().toString();
        String prefix = "test.dedup-restart." + run;
        settings = new DedupTopology.Settings(
                prefix + ".incoming", prefix + ".events", prefix + ".dlq", Duration.ofHours(24));
        applicationId = "strata-dedup-restart-test-" + run;

        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        admin = Admin.create(adminProps);
        admin.createTopics(List.of(
                        new NewTopic(settings.inputTopic(), 1, (short) 1),
                        new NewTopic(settings.outputTopic(), 1, (short) 1),
                        new NewTopic(settings.deadLetterTopic(), 1, (short) 1)))
                .all()
                .get();

        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void deleteTopics() throws Exception {
        running.forEach(streams -> streams.close(Duration.ofSeconds(30)));
        producer.close();
        try {
            List<String> topics = admin.listTopics().names().get().stream()
                    .filter(name -> name.startsWith(applicationId + "-"))
                    .collect(Collectors.toCollection(ArrayList::new));
            topics.addAll(List.of(settings.inputTopic(), settings.outputTopic(), settings.deadLetterTopic()));
            admin.deleteTopics(topics).all().get();
            admin.deleteConsumerGroups(List.of(applicationId)).all().get();
        } catch (ExecutionException e) {
            // leftovers of a test cannot fail it; the group's offsets expire with the broker's retention
        } finally {
            admin.close();
        }
    }

    @Test
    void aReplicaRestartedOnItsDiskStillKnowsTheWindow() throws Exception {
        assertRepeatDroppedAfterRestart(firstDisk);
    }

    @Test
    void aReplicaOnAnEmptyDiskRestoresTheWindowFromTheChangelog() throws Exception {
        assertRepeatDroppedAfterRestart(secondDisk);
    }

    private void assertRepeatDroppedAfterRestart(Path diskAfterRestart) throws Exception {
        String tenant = "test-dedup-" + UUID.randomUUID();
        Event event = track(tenant, "src-1", "m-1", "u-1", "");
        Event marker = track(tenant, "src-1", "m-2", "u-1", "");
        try (KafkaProbe events = new KafkaProbe(settings.outputTopic())) {
            KafkaStreams first = start(firstDisk);
            send(event);
            assertEquals(List.of("m-1"), messageIds(events.await(r -> true, 1, WAIT)));
            first.close(Duration.ofSeconds(30));

            start(diskAfterRestart);
            send(event);
            send(marker);
            // one partition: once the marker is out, the repeat before it has been processed
            assertEquals(
                    List.of("m-2"),
                    messageIds(events.await(r -> true, 1, WAIT)),
                    "the repeat is dropped, the next event forwarded");
        }
        assertEquals(
                1.0,
                registry.counter("strata_dedup_events_total", "outcome", "duplicate")
                        .count());
        assertEquals(
                2.0,
                registry.counter("strata_dedup_events_total", "outcome", "forwarded")
                        .count());
    }

    private KafkaStreams start(Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // the stopped replica leaves the group at once, so the next one is assigned without
        // waiting for its session to time out
        props.put(StreamsConfig.consumerPrefix("internal.leave.group.on.close"), true);
        KafkaStreams streams = new KafkaStreams(DedupTopology.build(settings, registry, OpenTelemetry.noop()), props);
        running.add(streams);
        streams.start();
        await("pipeline running")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> streams.state() == KafkaStreams.State.RUNNING);
        return streams;
    }

    private void send(Event event) throws Exception {
        producer.send(new ProducerRecord<>(settings.inputTopic(), incomingKey(event), event.toByteArray()))
                .get();
    }

    private static List<String> messageIds(List<ConsumerRecord<String, byte[]>> records) throws Exception {
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            ids.add(Event.parseFrom(record.value()).getMessageId());
        }
        return ids;
    }
}
