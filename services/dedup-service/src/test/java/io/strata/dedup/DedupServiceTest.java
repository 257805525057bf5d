package io.strata.dedup;

import static io.restassured.RestAssured.given;
import static io.strata.dedup.TestEvents.incomingKey;
import static io.strata.dedup.TestEvents.track;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.proto.events.v1.Event;
import io.strata.testing.KafkaProbe;
import io.strata.testing.LocalStack;
import io.strata.testing.Management;
import io.strata.testing.TestTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The service against the local broker: incoming topic in, events topic and dead letters out. */
@QuarkusTest
@QuarkusTestResource(value = DedupTestResource.class, restrictToAnnotatedClass = true)
class DedupServiceTest {

    private static final String INPUT = DedupTestResource.INPUT;
    private static final String EVENTS = TestTopics.EVENTS;
    private static final String DLQ = TestTopics.DEAD_LETTERS;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void connect() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    @Test
    void aResentEventReachesTheEventsTopicOnce() throws Exception {
        String tenant = "test-dedup-" + UUID.randomUUID();
        Event event = track(tenant, "src-1", "m-1", "u-1", "");
        Event next = track(tenant, "src-1", "m-2", "u-1", "");
        double duplicatesBefore = metric("duplicate");
        try (KafkaProbe events = new KafkaProbe(EVENTS)) {
            // one input partition, one person: the order of processing is the order of output, so
            // once the next event is out, a forwarded resend would be out before it
            RecordMetadata sent = send(null, event);
            send(sent.partition(), event);
            send(sent.partition(), next);

            List<ConsumerRecord<String, byte[]>> out =
                    events.await(r -> r.key() != null && r.key().startsWith(tenant + "/"), 2, WAIT);
            assertEquals(2, out.size(), "forwarded: " + out.size());
            assertEquals(
                    List.of("m-1", "m-2"),
                    out.stream().map(r -> parse(r.value()).getMessageId()).toList());
            assertEquals(
                    List.of(tenant + "/u-1", tenant + "/u-1"),
                    out.stream().map(ConsumerRecord::key).toList());
            assertArrayEquals(event.toByteArray(), out.get(0).value());
        }
        assertTrue(metric("duplicate") >= duplicatesBefore + 1, "the resend is counted as a duplicate");
        assertTrue(metric("forwarded") >= 2);
    }

    @Test
    void aRecordThatIsNotAnEventGoesToTheDeadLetterTopic() throws Exception {
        String key = "src-test/" + UUID.randomUUID();
        byte[] junk = "not an event".getBytes(StandardCharsets.UTF_8);
        try (KafkaProbe deadLetters = new KafkaProbe(DLQ)) {
            RecordMetadata sent =
                    producer.send(new ProducerRecord<>(INPUT, key, junk)).get();

            List<ConsumerRecord<String, byte[]>> dead = deadLetters.await(r -> key.equals(r.key()), 1, WAIT);
            assertEquals(1, dead.size());
            assertArrayEquals(junk, dead.get(0).value());
            assertEquals("dedup-service", header(dead.get(0), "strata-dlq-service"));
            assertEquals(
                    INPUT + "-" + sent.partition() + "@" + sent.offset(), header(dead.get(0), "strata-dlq-origin"));
            assertTrue(header(dead.get(0), "strata-dlq-reason").startsWith("not an Event"));
        }
        assertTrue(metric("dead_letter") >= 1);
    }

    @Test
    void healthAndMetricsAreServedOnTheManagementPort() {
        String admin = Management.url("");
        await("ready")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> given().get(admin + "/q/health/ready").statusCode() == 200);
        given().get(admin + "/q/health/ready")
                .then()
                .statusCode(200)
                .body(containsString("Kafka Streams topics health check"))
                .body(containsString("Dedup pipeline running"));
        given().get(admin + "/q/health/live")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body(containsString("Kafka Streams state health check"));
        given().get(admin + "/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("strata_dedup_events_total{outcome=\"forwarded\"}"))
                .body(containsString("strata_dedup_events_total{outcome=\"duplicate\"}"))
                .body(containsString("strata_dedup_events_total{outcome=\"dead_letter\"}"));
    }

    /**
     * The stage runs exactly_once_v2: a transactional producer of the application (whose id Kafka
     * Streams names after it) writes its output, and the record forwarded is followed on its
     * partition by the commit marker of its transaction (a marker takes an offset; a producer
     * without transactions writes none).
     */
    @Test
    void theStageWritesItsOutputInKafkaTransactions() throws Exception {
        String applicationId =
                ConfigProvider.getConfig().getValue("quarkus.kafka-streams.application-id", String.class);
        String tenant = "test-dedup-" + UUID.randomUUID();
        ConsumerRecord<String, byte[]> forwarded;
        try (KafkaProbe events = new KafkaProbe(EVENTS)) {
            send(null, track(tenant, "src-eos", "m-1", "u-1", ""));
            List<ConsumerRecord<String, byte[]>> seen =
                    events.await(r -> r.key().startsWith(tenant + "/"), 1, WAIT);
            assertEquals(1, seen.size());
            forwarded = seen.get(0);
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        try (Admin admin = Admin.create(props)) {
            List<String> transactional = admin.listTransactions().all().get().stream()
                    .map(TransactionListing::transactionalId)
                    .filter(id -> id.startsWith(applicationId + "-"))
                    .toList();
            assertTrue(!transactional.isEmpty(), "a transactional producer of " + applicationId);
            TopicPartition partition = new TopicPartition(forwarded.topic(), forwarded.partition());
            long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
                    .partitionResult(partition)
                    .get()
                    .offset();
            assertTrue(
                    end >= forwarded.offset() + 2,
                    "a commit marker follows the record at " + forwarded.offset() + " (end offset " + end + ")");
        }
    }

    private static RecordMetadata send(Integer partition, Event event) throws Exception {
        return producer.send(new ProducerRecord<>(INPUT, partition, incomingKey(event), event.toByteArray()))
                .get();
    }

    private static Event parse(byte[] value) {
        try {
            return Event.parseFrom(value);
        } catch (Exception e) {
            throw new AssertionError("not an Event on the events topic", e);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A counter as Prometheus scrapes it. */
    private static double metric(String outcome) {
        String body = given().get(Management.url("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Matcher m = Pattern.compile(
                        "^strata_dedup_events_total\\{outcome=\"" + outcome + "\"} (\\S+)$", Pattern.MULTILINE)
                .matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
