package io.strata.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.strata.proto.events.v1.Event;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.testing.KafkaGroups;
import io.strata.testing.KafkaProbe;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalStack;
import io.strata.testing.ServiceProcess;
import io.strata.testing.TestTopics;
import io.strata.tools.ImportCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The first slice across the packaged services: a Segment call to ingestion, through Kafka and
 * profile-service into PostgreSQL, read back through the gateway with a real Keycloak token.
 * The services run as in production, on ports of their own, against the test databases.
 */
class SliceIT {

    private static final String TOPIC = TestTopics.EVENTS;
    private static final String TENANT = "demo"; // the tenant of alice's token
    private static final Duration READY = Duration.ofSeconds(90);
    private static final Path ROOT = Path.of(System.getProperty("strata.root", "../.."));

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String WRITE_KEY = "e2e-" + UUID.randomUUID();
    private static final String PROFILE_GROUP = "profile-service-e2e-" + RUN;
    private static final String INCOMING = TestTopics.INCOMING;
    private static final String DEDUP_APPLICATION = "strata-dedup-e2e-" + RUN;

    private static ServiceProcess ingestion;
    private static ServiceProcess dedup;
    private static String dedupState;
    private static ServiceProcess profile;
    private static ServiceProcess gateway;
    private static String token;

    @BeforeAll
    static void startServices() {
        LocalStack.requireKafkaAndPostgres();
        // the test topics, never the product's: nothing of a test reaches the stack ./strata up runs
        TestTopics.ensure();
        token = KeycloakTokens.accessToken("alice");
        // the group starts at the topic's end, and commits rarely, so a crash is sure to leave
        // applied but uncommitted events for the restarted service to see again
        KafkaGroups.startAtEnd(PROFILE_GROUP, TOPIC);
        KafkaGroups.startAtEnd(DEDUP_APPLICATION, INCOMING);
        profile = profileService();
        dedup = dedupService();
        ingestion = new ServiceProcess(ROOT, "ingestion-service", 28081)
                .property("DB_NAME", "strata_ingestion_test")
                .secret("DB_PASSWORD", "strata")
                .property("quarkus.grpc.server.port", "28091")
                .property("strata.ingestion.topic", INCOMING)
                .property("strata.ingestion.bootstrap.enabled", "true")
                .property("strata.ingestion.bootstrap.tenant", TENANT)
                .property("strata.ingestion.bootstrap.source-name", "e2e-" + RUN)
                .secret("STRATA_INGESTION_BOOTSTRAP_WRITE_KEY", WRITE_KEY)
                .start(READY);
        gateway = new ServiceProcess(ROOT, "gateway", 28080)
                .property("PROFILE_SERVICE_HOST", "127.0.0.1")
                .property("PROFILE_SERVICE_PORT", "28082")
                .property("INGESTION_SERVICE_HOST", "127.0.0.1")
                .property("INGESTION_SERVICE_GRPC_PORT", "28091")
                .property("OIDC_AUTH_SERVER_URL", KeycloakTokens.issuer())
                .secret("STRATA_GATEWAY_CLIENT_SECRET", KeycloakTokens.gatewaySecret())
                .start(READY);
        KafkaGroups.awaitAssigned(PROFILE_GROUP, TOPIC, READY);
        KafkaGroups.awaitAssigned(DEDUP_APPLICATION, INCOMING, READY);
    }

    /** dedup-service on an empty state directory: its window comes back from the changelog topic. */
    private static ServiceProcess dedupService() {
        dedupState = stateDir();
        return dedupService(dedupState);
    }

    private static ServiceProcess dedupService(String stateDir) {
        return new ServiceProcess(ROOT, "dedup-service", 28086)
                .property("quarkus.kafka-streams.application-id", DEDUP_APPLICATION)
                .property("strata.dedup.input-topic", INCOMING)
                .property("strata.dedup.output-topic", TOPIC)
                .property("strata.dedup.dead-letter-topic", TestTopics.DEAD_LETTERS)
                .property("STRATA_DEDUP_STATE_DIR", stateDir)
                // a stopped instance leaves the group at once, so a restart does not wait out its session
                .property("kafka-streams.consumer.internal.leave.group.on.close", "true")
                // and a killed one is noticed within seconds
                .property("kafka-streams.consumer.session.timeout.ms", "6000")
                .property("kafka-streams.consumer.heartbeat.interval.ms", "1000")
                .start(READY);
    }

    private static String stateDir() {
        try {
            // under target/, so the build's clean removes it
            Path target = Files.createDirectories(ROOT.resolve("services/e2e-tests/target"));
            return Files.createTempDirectory(target, "dedup-state-").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ServiceProcess profileService() {
        return profileService(true);
    }

    /** @param relay whether it sends its change feed (without, the records stay in its outbox) */
    private static ServiceProcess profileService(boolean relay) {
        return new ServiceProcess(ROOT, "profile-service", 28082)
                .property("DB_NAME", "strata_profile_test")
                .secret("DB_PASSWORD", "strata")
                .property("mp.messaging.incoming.events.topic", TOPIC)
                .property("strata.profile.dead-letter-topic", TestTopics.DEAD_LETTERS)
                .property("strata.profile.feed.profile-events-topic", TestTopics.PROFILE_EVENTS)
                .property("strata.profile.feed.profile-changes-topic", TestTopics.PROFILE_CHANGES)
                .property("strata.profile.feed.relay-enabled", Boolean.toString(relay))
                .property("mp.messaging.incoming.events.group.id", PROFILE_GROUP)
                .property("mp.messaging.incoming.events.auto.commit.interval.ms", "120000")
                // a killed instance is noticed within seconds, so its partitions pass to the next one
                .property("mp.messaging.incoming.events.session.timeout.ms", "6000")
                .property("mp.messaging.incoming.events.heartbeat.interval.ms", "1000")
                .start(READY);
    }

    @AfterAll
    static void stopServices() {
        for (ServiceProcess service : new ServiceProcess[] {gateway, ingestion, dedup}) {
            if (service != null) {
                service.stop();
            }
        }
        if (profile != null) {
            // a graceful stop would wait for the long commit interval set above
            profile.kill();
        }
        KafkaGroups.deleteStreamsApplication(DEDUP_APPLICATION);
    }

    @Test
    void aConsumersEventsBecomeAProfileReadThroughTheGateway() {
        String user = "e2e-user-" + RUN;
        String anon = "e2e-anon-" + RUN;
        send(
                "track",
                "{\"anonymousId\":\"" + anon + "\",\"event\":\"Product Viewed\",\"properties\":{\"sku\":\"S1\"}}");
        send(
                "identify",
                "{\"userId\":\"" + user + "\",\"anonymousId\":\"" + anon + "\"," + "\"traits\":{\"email\":\"E2E-" + RUN
                        + "@Example.cn\",\"name\":\"Wang Fang\"}}");
        send("track", "{\"userId\":\"" + user + "\",\"event\":\"Order Completed\",\"properties\":{\"revenue\":88}}");

        JsonPath profile = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> lookup("userId", user), p -> p != null && p.getInt("eventCounts.size()") == 3);
        assertEquals(1, profile.getInt("eventCounts.'Product Viewed'"));
        assertEquals(1, profile.getInt("eventCounts.identify"));
        assertEquals(1, profile.getInt("eventCounts.'Order Completed'"));
        assertEquals("Wang Fang", profile.getString("traits.name"));
        List<String> identities = profile.getList("identities.value");
        assertTrue(identities.containsAll(List.of(user, anon, "e2e-" + RUN + "@example.cn")), identities.toString());

        String id = profile.getString("id");
        given().auth()
                .oauth2(token)
                .get(gateway.baseUrl() + "/api/v1/profiles/" + id)
                .then()
                .statusCode(200);
        JsonPath byEmail = lookup("email", "e2e-" + RUN + "@EXAMPLE.cn");
        assertEquals(id, byEmail.getString("id"));
        // bob is an admin of another tenant: the profile does not exist for him
        given().auth()
                .oauth2(KeycloakTokens.accessToken("bob"))
                .get(gateway.baseUrl() + "/api/v1/profiles/" + id)
                .then()
                .statusCode(404);
    }

    @Test
    void aCsvOfOrdersImportsWithItsOwnTimesOnceHoweverOftenItIsImported(@TempDir Path dir) throws Exception {
        String customer = "e2e-import-" + RUN;
        Path csv = dir.resolve("orders.csv");
        Files.writeString(csv, """
                order_id,customer_id,email,order_time,sku,category,price,quantity,channel
                %1$s-1,%1$s,%1$s@example.cn,2024-03-08 20:15:00,S-1,Serum,329,1,tmall
                %1$s-1,%1$s,%1$s@example.cn,2024-03-08 20:15:00,S-2,Mask,59,2,tmall
                %1$s-2,%1$s,%1$s@example.cn,2024-05-01 09:00:00,S-3,Serum,329,1,douyin
                %1$s-3,%1$s,,not a date,S-3,Serum,329,1,douyin
                """.formatted(customer));
        String[] args = {csv.toString(), "--url", ingestion.baseUrl(), "--write-key", WRITE_KEY};
        assertEquals(3, new CommandLine(new ImportCommand()).execute(args), "exit 3: a row was refused");

        JsonPath profile = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> lookup("userId", customer),
                        p -> p != null && p.getInt("eventCounts.'Order Completed'") == 2);
        assertEquals("2024-03-08T12:15:00Z", profile.getString("firstSeen"), "the orders keep their own time");
        assertEquals("2024-05-01T01:00:00Z", profile.getString("lastSeen"));
        assertTrue(profile.getList("identities.value").contains(customer + "@example.cn"));

        double dropped = duplicatesDropped();
        assertEquals(3, new CommandLine(new ImportCommand()).execute(args));
        // the identify and the two orders came again: dedup-service drops them before the topic
        await().atMost(Duration.ofSeconds(30)).until(() -> duplicatesDropped() - dropped >= 3);
        // a marker on the same key travels behind anything dedup-service forwarded before it
        send("track", "{\"userId\":\"" + customer + "\",\"event\":\"Marker\"}");
        JsonPath after = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> lookup("userId", customer),
                        p -> p != null && p.getMap("eventCounts").containsKey("Marker"));
        assertEquals(
                2, after.getInt("eventCounts.'Order Completed'"), "importing the file again publishes nothing twice");
    }

    @Test
    void anAdministratorImportsHistoryThroughTheGateway() {
        String customer = "e2e-upload-" + RUN;
        String jsonl = """
                {"type":"identify","userId":"%1$s","traits":{"phone":"+86 139 1234 %2$s"},"timestamp":"2023-11-11T00:05:00+08:00"}
                {"type":"track","userId":"%1$s","event":"Order Completed","properties":{"order_id":"%1$s-1","revenue":199},"timestamp":"2023-11-11T00:06:00+08:00"}
                {"type":"track","userId":"%1$s"}
                """.formatted(customer, RUN.substring(0, 4).replaceAll("[^0-9]", "7"));
        String source = sourceId("e2e-" + RUN);
        double dropped = duplicatesDropped();
        for (int round = 1; round <= 2; round++) {
            JsonPath summary = given().auth()
                    .oauth2(token)
                    .contentType("application/x-ndjson")
                    .body(jsonl.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .post(gateway.baseUrl() + "/api/v1/sources/" + source + "/imports")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertEquals(3, summary.getInt("rows"));
            assertEquals(2, summary.getInt("accepted"));
            assertEquals(0, summary.getInt("duplicates"));
            assertEquals(3, summary.getInt("rejections[0].line"));
            assertEquals("event", summary.getString("rejections[0].field"));
        }
        // the second upload's two calls are dropped by dedup-service: the same file again publishes nothing
        await().atMost(Duration.ofSeconds(30)).until(() -> duplicatesDropped() - dropped >= 2);
        send("track", "{\"userId\":\"" + customer + "\",\"event\":\"Marker\"}");
        JsonPath profile = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> lookup("userId", customer),
                        p -> p != null && p.getMap("eventCounts").containsKey("Marker"));
        assertEquals(1, profile.getInt("eventCounts.'Order Completed'"), "the second upload published nothing");
        assertEquals("2023-11-10T16:05:00Z", profile.getString("firstSeen"), "the history keeps its own time");
    }

    /**
     * The dedup window survives a restart of dedup-service, even on an empty disk (as a new pod
     * would start): a messageId resent afterwards is acknowledged and not published again.
     */
    @Test
    void theDedupWindowSurvivesARestartOfDedupService() throws Exception {
        String messageId = "e2e-restart-" + UUID.randomUUID();
        String track = "{\"userId\":\"e2e-restart-" + RUN + "\",\"event\":\"X\",\"messageId\":\"" + messageId + "\"}";
        try (KafkaProbe probe = new KafkaProbe(TOPIC)) {
            send("track", track);
            assertEquals(
                    1,
                    probe.await(r -> messageId(r.value()).equals(messageId), 1, Duration.ofSeconds(30))
                            .size());
            dedup.stop();
            dedup = dedupService();
            KafkaGroups.awaitAssigned(DEDUP_APPLICATION, INCOMING, READY);
            send("track", track);
            await().atMost(Duration.ofSeconds(30)).until(() -> duplicatesDropped() >= 1);
            assertEquals(
                    0,
                    probe.drain(Duration.ofSeconds(2)).stream()
                            .filter(r -> messageId(r.value()).equals(messageId))
                            .count(),
                    "published once, across the restart");
        }
    }

    private static String userId(byte[] value) {
        try {
            return Event.parseFrom(value).getUserId();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return "";
        }
    }

    private static String messageId(byte[] value) {
        try {
            return Event.parseFrom(value).getMessageId();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return "";
        }
    }

    /**
     * kill -9 of dedup-service while events stream in: once it is back (on its own disk, as a pod
     * restarted with its volume), every event is on strata.events.v1 exactly once, the resends among
     * them not at all: the input offsets, the window and the output commit in one transaction.
     */
    @Test
    void killingDedupServiceMidStreamForwardsEveryEventOnceAndNoResend() throws Exception {
        String prefix = "e2e-dedup-kill-" + RUN + "-";
        int total = 3000;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaProbe out = new KafkaProbe(TOPIC);
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            double forwardedBefore = counter(dedup, "strata_dedup_events_total", "forwarded");
            CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < total; i++) {
                    send(producer, prefix + i);
                    if (i % 10 == 9) {
                        send(producer, prefix + (i - 1)); // a resend, as a client retrying would
                    }
                    if (i % 100 == 0) {
                        LockSupport.parkNanos(20_000_000L);
                    }
                }
                producer.flush();
            });
            await("dedup-service forwards part of the stream")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> counter(dedup, "strata_dedup_events_total", "forwarded") - forwardedBefore >= 300);
            dedup.kill();
            stream.get(60, TimeUnit.SECONDS);
            assertTrue(seenAll(out, prefix, seen, 1) < total, "killed mid-stream");

            dedup = dedupService(dedupState);
            KafkaGroups.awaitAssigned(DEDUP_APPLICATION, INCOMING, READY);
            await("every event forwarded")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> seenAll(out, prefix, seen, 0) >= total);
            seenAll(out, prefix, seen, 2);
        }
        assertEquals(total, seen.size(), "every event");
        Map<String, Integer> twice = new HashMap<>();
        seen.forEach((id, n) -> {
            if (n != 1) {
                twice.put(id, n);
            }
        });
        assertEquals(Map.of(), twice, "no event forwarded twice, resends included");
    }

    /** The id of the tenant's source of that name, through every page of the list (the test database keeps older runs' sources). */
    private static String sourceId(String name) {
        String cursor = "";
        do {
            JsonPath page = given().auth()
                    .oauth2(token)
                    .queryParam("pageSize", 500)
                    .queryParam("cursor", cursor)
                    .get(gateway.baseUrl() + "/api/v1/sources")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            String id = page.getString("items.find { it.name == '" + name + "' }.id");
            if (id != null) {
                return id;
            }
            cursor = page.getString("nextCursor");
        } while (cursor != null && !cursor.isEmpty());
        throw new AssertionError("no source named " + name);
    }

    private static void send(KafkaProducer<String, byte[]> producer, String messageId) {
        Event event = Event.newBuilder()
                .setTenant(TENANT)
                .setSourceId("e2e-kill")
                .setMessageId(messageId)
                .setType(io.strata.proto.events.v1.EventType.EVENT_TYPE_TRACK)
                .setUserId("e2e-dedup-" + RUN + "-" + Math.abs(messageId.hashCode() % 20))
                .setEvent("Streamed")
                .build();
        producer.send(new ProducerRecord<>(INCOMING, "e2e-kill/" + messageId, event.toByteArray()));
    }

    /** Reads the events topic (read_committed) for {@code seconds} of quiet, counting the run's messageIds. */
    private static int seenAll(KafkaProbe out, String prefix, Map<String, Integer> seen, int seconds) {
        for (var record : out.drain(Duration.ofMillis(seconds == 0 ? 300 : seconds * 1000L))) {
            String id = messageId(record.value());
            if (id.startsWith(prefix)) {
                seen.merge(id, 1, Integer::sum);
            }
        }
        return seen.size();
    }

    @Test
    void malformedJsonIsRefusedWithAMessageAndPublishesNothing() {
        String marker = "e2e-malformed-" + UUID.randomUUID();
        try (KafkaProbe probe = new KafkaProbe(INCOMING)) {
            given().auth()
                    .preemptive()
                    .basic(WRITE_KEY, "")
                    .contentType(ContentType.JSON)
                    .body("{\"userId\":\"" + marker + "\",\"event\":\"X\",}")
                    .post(ingestion.baseUrl() + "/v1/track")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json");
            String detail = given().auth()
                    .preemptive()
                    .basic(WRITE_KEY, "")
                    .contentType(ContentType.JSON)
                    .body("{\"userId\":")
                    .post(ingestion.baseUrl() + "/v1/identify")
                    .then()
                    .statusCode(400)
                    .extract()
                    .path("detail");
            assertTrue(detail.startsWith("malformed JSON"), detail);
            // a well-formed event after it: once it is on the topic, a published malformed one would be too
            send("track", "{\"userId\":\"" + marker + "\",\"event\":\"After\"}");
            var mentioning = probe.await(r -> userId(r.value()).equals(marker), 2, Duration.ofSeconds(10));
            assertEquals(1, mentioning.size(), "only the well-formed event reached Kafka");
        }
    }

    /**
     * kill -9 of profile-service while events flow: every event ingestion acknowledged is applied,
     * and the events the dead instance had applied but not committed, which Kafka delivers again,
     * are recognised and not applied twice. The instance that dies does not relay its change feed,
     * so everything it committed was still unsent when it died: the restarted instance announces all
     * of it, each applied event on {@code strata.profile-events.v1} with its profile (a record sent
     * again is the same record), nothing missing.
     */
    @Test
    void killingProfileServiceMidStreamLosesNothingAppliesNothingTwiceAndAnnouncesEverything() throws Exception {
        int users = 8;
        int eventsPerUser = 40;
        Map<String, AtomicInteger> acknowledged = new ConcurrentHashMap<>();
        List<String> ids = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            ids.add("e2e-crash-" + RUN + "-" + u);
            acknowledged.put(ids.get(u), new AtomicInteger());
        }
        profile.kill();
        profile = profileService(false);
        KafkaProbe feed = new KafkaProbe(TestTopics.PROFILE_EVENTS);
        AtomicInteger sent = new AtomicInteger();
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < eventsPerUser; i++) {
                for (String user : ids) {
                    int status = given().auth()
                            .preemptive()
                            .basic(WRITE_KEY, "")
                            .contentType(ContentType.JSON)
                            .body("{\"userId\":\"" + user + "\",\"event\":\"Product Viewed\"}")
                            .post(ingestion.baseUrl() + "/v1/track")
                            .statusCode();
                    if (status == 200) {
                        acknowledged.get(user).incrementAndGet();
                    }
                    sent.incrementAndGet();
                }
            }
        });

        // let profile-service apply some events, then kill it mid-stream
        await().atMost(Duration.ofSeconds(60))
                .until(() -> sent.get() >= users * 5 && lookup("userId", ids.get(0)) != null);
        profile.kill();
        int sentAtKill = sent.get();
        traffic.get();
        assertTrue(sent.get() > sentAtKill, "events kept flowing while profile-service was down");

        profile = profileService();
        Map<String, Integer> expected = new HashMap<>();
        acknowledged.forEach((user, count) -> expected.put(user, count.get()));
        assertEquals(
                users * eventsPerUser,
                expected.values().stream().mapToInt(Integer::intValue).sum(),
                "ingestion acknowledged every event");

        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> viewedCounts(ids).values().stream()
                                .mapToInt(Integer::intValue)
                                .sum()
                        >= users * eventsPerUser);
        assertEquals(expected, viewedCounts(ids), "each acknowledged event applied exactly once");
        assertTrue(
                duplicatesSeen(profile) > 0,
                "the restarted instance received events applied before the crash and skipped them");

        // the feed: every applied event, under its profile's key; a copy sent again is the same bytes
        Map<String, byte[]> announced = new HashMap<>();
        Map<String, Integer> perUser = new HashMap<>();
        try (feed) {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (announced.size() < users * eventsPerUser && Instant.now().isBefore(deadline)) {
                for (var record : feed.await(r -> true, 1, Duration.ofMillis(500))) {
                    ProfileEvent event = ProfileEvent.parseFrom(record.value());
                    String user = event.getEvent().getUserId();
                    if (!ids.contains(user)) {
                        continue;
                    }
                    assertEquals(TENANT + "/" + event.getProfileId(), record.key());
                    String id = event.getEvent().getSourceId() + "/"
                            + event.getEvent().getMessageId();
                    byte[] before = announced.putIfAbsent(id, record.value());
                    if (before == null) {
                        perUser.merge(user, 1, Integer::sum);
                    } else {
                        assertArrayEquals(before, record.value(), "an event announced again is the same record");
                    }
                }
            }
        }
        assertEquals(expected, perUser, "every applied event announced, none missing");
    }

    private Map<String, Integer> viewedCounts(List<String> users) {
        Map<String, Integer> counts = new HashMap<>();
        for (String user : users) {
            JsonPath p = lookup("userId", user);
            counts.put(user, p == null ? 0 : p.getInt("eventCounts.'Product Viewed'"));
        }
        return counts;
    }

    private static double duplicatesSeen(ServiceProcess service) {
        return counter(service, "strata_profile_events_total", "duplicate");
    }

    /** Events dedup-service recognised as sent before and did not forward. */
    private static double duplicatesDropped() {
        return counter(dedup, "strata_dedup_events_total", "duplicate");
    }

    private static double counter(ServiceProcess service, String name, String outcome) {
        String metrics = given().get(service.managementUrl() + "/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Matcher m = Pattern.compile(name + "\\{[^}]*outcome=\"" + outcome + "\"[^}]*} ([0-9.Ee+]+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static void send(String call, String json) {
        given().auth()
                .preemptive()
                .basic(WRITE_KEY, "")
                .contentType(ContentType.JSON)
                .body(json)
                .post(ingestion.baseUrl() + "/v1/" + call)
                .then()
                .statusCode(200);
    }

    /** The profile owning the identifier, through the gateway; null while there is none. */
    private static JsonPath lookup(String parameter, String value) {
        var response =
                given().auth().oauth2(token).queryParam(parameter, value).get(gateway.baseUrl() + "/api/v1/profiles");
        if (response.statusCode() != 200) {
            return null;
        }
        JsonPath body = response.jsonPath();
        return body.getList("items").isEmpty() ? null : new JsonPath(response.asString()).setRootPath("items[0]");
    }
}
