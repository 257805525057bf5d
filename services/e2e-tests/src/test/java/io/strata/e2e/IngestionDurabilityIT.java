package io.strata.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.proto.events.v1.Event;
import io.strata.testing.KafkaBroker;
import io.strata.testing.LocalStack;
import io.strata.testing.ServiceProcess;
import io.strata.testing.TestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What ingestion promises when things break: an acknowledged event is never lost. The broker is one
 * of this test's own ({@link KafkaBroker}: its own ports and data, its process held by the test), so
 * the test always runs, and the only process it kills is one it started.
 */
class IngestionDurabilityIT {

    private static final Path ROOT = Path.of(System.getProperty("strata.root", "../.."));
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String WRITE_KEY = "durability-" + UUID.randomUUID();

    private static KafkaBroker broker;
    private static ServiceProcess ingestion;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() {
        LocalStack.requireKafkaAndPostgres();
        broker = new KafkaBroker(ROOT, 29192).start();
        broker.createTopic(TestTopics.INCOMING, 6);
        ingestion = new ServiceProcess(ROOT, "ingestion-service", 28191)
                .property("DB_NAME", "strata_ingestion_test")
                .secret("DB_PASSWORD", "strata")
                .property("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers())
                .property("quarkus.grpc.server.port", "28192")
                .property("strata.ingestion.topic", TestTopics.INCOMING)
                .property("strata.ingestion.bootstrap.enabled", "true")
                .property("strata.ingestion.bootstrap.tenant", "durability-" + RUN)
                .property("strata.ingestion.bootstrap.source-name", "load")
                .secret("STRATA_INGESTION_BOOTSTRAP_WRITE_KEY", WRITE_KEY)
                .start(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (ingestion != null) {
            ingestion.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** One request's answer and when it was sent and answered. */
    private record Answer(long sentAt, long answeredAt, int status) {}

    private int post(String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ingestion.baseUrl() + "/v1/batch"))
                .timeout(Duration.ofSeconds(40))
                .header("Content-Type", "application/json")
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Four clients send batches while the broker is killed (kill -9) and restarted: every messageId
     * of a batch answered 200 is on the topic; while the broker is down no request is answered 200;
     * and every answer is 200 or 503 (nothing else, no connection dropped).
     */
    @Test
    void everyAcknowledgedEventReachesTheTopicWhenTheBrokerDiesMidLoad() throws Exception {
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        long killedAt;
        long restartAt;
        try {
            List<Future<?>> senders = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                senders.add(clients.submit(() -> {
                    while (running.get()) {
                        List<String> ids = new ArrayList<>();
                        StringBuilder batch = new StringBuilder("{\"batch\":[");
                        for (int i = 0; i < 50; i++) {
                            String id = RUN + "-" + client + "-" + UUID.randomUUID();
                            ids.add(id);
                            batch.append(i == 0 ? "" : ",")
                                    .append("{\"type\":\"track\",\"userId\":\"load-")
                                    .append(client)
                                    .append("\",\"event\":\"Loaded\",\"messageId\":\"")
                                    .append(id)
                                    .append("\"}");
                        }
                        long sentAt = System.nanoTime();
                        int status = post(batch.append("]}").toString());
                        answers.add(new Answer(sentAt, System.nanoTime(), status));
                        if (status == 200) {
                            acknowledged.addAll(ids);
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 2_000);
            broker.kill();
            killedAt = System.nanoTime();
            await("requests refused while the broker is down")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> answers.stream().anyMatch(a -> a.sentAt() > killedAt && a.status() == 503));
            // the outage lasts a few seconds more, for requests sent wholly within it
            await().atMost(Duration.ofSeconds(60))
                    .until(() ->
                            answers.stream().filter(a -> a.sentAt() > killedAt).count() >= 20);
            restartAt = System.nanoTime();
            broker.start();
            int afterRestart = acknowledged.size();
            await("service resumed after the broker came back")
                    .atMost(Duration.ofSeconds(90))
                    .until(() -> acknowledged.size() > afterRestart + 2_000);
            running.set(false);
            for (Future<?> sender : senders) {
                sender.get();
            }
        } finally {
            running.set(false);
            clients.shutdownNow();
        }

        Map<Integer, Integer> statuses = new TreeMap<>();
        answers.forEach(a -> statuses.merge(a.status(), 1, Integer::sum));
        assertEquals(Set.of(200, 503), statuses.keySet(), "every answer is 200 or 503: " + statuses);
        long okDuringOutage = answers.stream()
                .filter(a -> a.sentAt() > killedAt && a.answeredAt() < restartAt && a.status() == 200)
                .count();
        assertEquals(0, okDuringOutage, "no request sent and answered while the broker was down is a 200");

        Set<String> onTopic = readTopic();
        Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(onTopic);
        assertEquals(Set.of(), missing, "every acknowledged messageId is on the topic");
        assertTrue(acknowledged.size() > 4_000);
        System.out.printf(
                "broker outage: %d answers %s, %d events acknowledged, all on the topic%n",
                answers.size(), statuses, acknowledged.size());
    }

    /** The run's messageIds on the private broker's topic, read from the start. */
    private static Set<String> readTopic() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "durability-" + RUN);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(TestTopics.INCOMING, Duration.ofSeconds(10)).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> ids.add(messageId(r.value())));
                return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
            });
        }
        return ids;
    }

    private static String messageId(byte[] value) {
        try {
            return Event.parseFrom(value).getMessageId();
        } catch (Exception e) {
            return "";
        }
    }
}
