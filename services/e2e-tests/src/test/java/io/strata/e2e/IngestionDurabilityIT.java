package io.strata.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.strata.proto.events.v1.Event;
import io.strata.testing.KafkaProbe;
import io.strata.testing.LocalInfra;
import io.strata.testing.LocalStack;
import io.strata.testing.ServiceProcess;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What ingestion promises when things break: an acknowledged event is never lost. */
class IngestionDurabilityIT {

    private static final String TOPIC = "strata.events.incoming.v1";
    private static final Path ROOT = Path.of(System.getProperty("strata.root", "../.."));
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String WRITE_KEY = "durability-" + UUID.randomUUID();

    private static ServiceProcess ingestion;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() {
        LocalStack.requireKafkaAndPostgres();
        ingestion = ingestionService();
    }

    private static ServiceProcess ingestionService() {
        return new ServiceProcess(ROOT, "ingestion-service", 28091)
                .property("DB_NAME", "strata_ingestion_test")
                .property("DB_PASSWORD", "strata")
                .property("strata.ingestion.bootstrap.tenant", "durability-" + RUN)
                .property("strata.ingestion.bootstrap.source-name", "load")
                .property("strata.ingestion.bootstrap.write-key", WRITE_KEY)
                .start(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (ingestion != null) {
            ingestion.stop();
        }
    }

    private int post(String path, String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ingestion.baseUrl() + path))
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
     * Four clients send batches while the broker is killed and restarted: every messageId of a
     * batch answered 200 is on the topic; during the outage the answer is 503, never a 200.
     */
    @Test
    void everyAcknowledgedEventReachesTheTopicWhenTheBrokerDiesMidLoad() throws Exception {
        LocalInfra infra = new LocalInfra(ROOT);
        assumeTrue(infra.ownsKafka(), "the broker was not started by ./strata; it is not this test's to kill");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger batches = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try (KafkaProbe probe = new KafkaProbe(TOPIC)) {
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
                        int status = post("/v1/batch", batch.append("]}").toString());
                        batches.incrementAndGet();
                        if (status == 200) {
                            acknowledged.addAll(ids);
                        } else if (status == 503) {
                            unavailable.incrementAndGet();
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 2_000);
            infra.killKafka();
            await().atMost(Duration.ofSeconds(60)).until(() -> unavailable.get() > 0);
            infra.startKafka();
            int afterRestart = acknowledged.size();
            await("service resumed after the broker came back")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> acknowledged.size() > afterRestart + 2_000);
            running.set(false);
            for (Future<?> sender : senders) {
                sender.get();
            }

            Set<String> onTopic = new HashSet<>();
            await("every acknowledged messageId is on the topic")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        probe.drain(Duration.ofMillis(500)).forEach(r -> onTopic.add(messageId(r.value())));
                        return onTopic.containsAll(acknowledged);
                    });
            System.out.printf(
                    "broker outage: %d batches, %d events acknowledged, %d batches answered 503%n",
                    batches.get(), acknowledged.size(), unavailable.get());
        } finally {
            running.set(false);
            clients.shutdownNow();
            if (!LocalStack.kafkaListening()) {
                infra.startKafka();
            }
        }
    }

    private static String messageId(byte[] value) {
        try {
            return Event.parseFrom(value).getMessageId();
        } catch (Exception e) {
            return "";
        }
    }
}
