package io.strata.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.testing.LocalStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Against the local broker: a group that read every event of a topic written in transactions has
 * caught up, although its committed offsets sit before the transactions' markers.
 */
class PipelineWaitTest {

    private final String topic = "strata.test.pipeline-wait." + UUID.randomUUID();
    private final String group = "strata-test-pipeline-wait-" + UUID.randomUUID();
    private Admin admin;

    @BeforeEach
    void topic() throws Exception {
        LocalStack.requireKafka();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers()));
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }

    @AfterEach
    void cleanUp() throws Exception {
        admin.deleteConsumerGroups(List.of(group)).all().get();
        admin.deleteTopics(List.of(topic)).all().get();
        admin.close();
    }

    /** Three events, each in a transaction of its own: offsets 0, 2 and 4, markers at 1, 3 and 5. */
    private void sendInTransactions(int events) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "strata-test-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            for (int i = 0; i < events; i++) {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "k", "event " + i));
                producer.commitTransaction();
            }
        }
    }

    /** What a consumer commits after applying the event at {@code offset}: the next offset. */
    private void commitAfter(long offset) throws Exception {
        admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset + 1)))
                .all()
                .get();
    }

    private int run(ByteArrayOutputStream err) {
        PipelineWait wait = new PipelineWait();
        wait.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        return new CommandLine(wait)
                .execute(
                        "--bootstrap",
                        LocalStack.kafkaBootstrapServers(),
                        "--group",
                        "readers=" + group,
                        "--timeout",
                        "3");
    }

    @Test
    void markersAfterTheLastEventReadAreNoLag() throws Exception {
        sendInTransactions(3);
        commitAfter(4); // the last event; its marker at offset 5 is never "read"
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(err), err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("caught up"));
    }

    @Test
    void eventsNotReadYetAreCountedAndWaitedFor() throws Exception {
        sendInTransactions(3);
        commitAfter(0);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(err), "never caught up within the timeout");
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("readers 2 events to go"),
                err.toString(StandardCharsets.UTF_8));
    }
}
