package io.strata.campaign.activation;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.campaign.service.JourneyRuntime;
import io.strata.campaign.service.Signal;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Audience transitions delivered to webhooks served by the test itself, each test in a tenant of its own. */
@QuarkusTest
class ActivationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    JourneyRuntime runtime;

    @Inject
    ActivationService destinations;

    private HttpServer server;
    private String base;
    /** What each path received: the body and the signature header. */
    private final Map<String, List<String[]>> received = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>())
                    .add(new String[] {body, ex.getRequestHeaders().getFirst(Signatures.HEADER)});
            int code = path.startsWith("/down") ? 503 : 204;
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void transitionsReachEachDestinationSignedInOrderAndADownOneHoldsUpNoOther() throws Exception {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        var all = destinations
                .set(tenant, change("all", "/all", "strata", List.of()), "alice")
                .await()
                .atMost(WAIT);
        destinations
                .set(tenant, change("seg", "/seg", "segment", List.of("vip")), "alice")
                .await()
                .atMost(WAIT);
        destinations
                .set(tenant, change("down", "/down", "strata", List.of("newcomers")), "alice")
                .await()
                .atMost(WAIT);
        assertTrue(all.secret().orElseThrow().startsWith("whsec_"));

        Instant t0 = Instant.parse("2026-12-01T08:00:00Z");
        var signals = new ArrayList<Signal>();
        for (int i = 0; i < 10; i++) {
            signals.add(new Signal.Audience("p-" + i, "vip", true, t0, "vip@1"));
        }
        signals.add(new Signal.Audience("p-0", "vip", false, t0.plusSeconds(60), "vip@2"));
        signals.add(new Signal.Audience("p-1", "newcomers", true, t0, "newcomers@1"));
        runtime.handle(tenant, signals);
        runtime.handle(tenant, signals); // delivered again by the feed: nothing new

        await().atMost(WAIT)
                .until(() -> received.getOrDefault("/all", List.of()).size() >= 12);
        await().atMost(WAIT)
                .until(() -> received.getOrDefault("/seg", List.of()).size() >= 11);
        // the down destination is still being retried or has given up; the others were not held up
        var toAll = received.get("/all");
        assertEquals(12, toAll.size());
        long previous = 0;
        for (String[] r : toAll) {
            JsonNode body = JSON.readTree(r[0]);
            long id = Long.parseLong(body.path("id").asText().split(":")[1]);
            assertTrue(id > previous, "in transition order");
            previous = id;
            long t = Long.parseLong(r[1].substring(2, r[1].indexOf(',')));
            assertEquals("t=" + t + ",v1=" + hmac(all.secret().get(), t + "." + r[0]), r[1], "signed with its secret");
            assertTrue(Math.abs(Instant.now().getEpochSecond() - t) < 60, "signed when sent");
        }
        assertEquals(
                "audience.exited", JSON.readTree(toAll.get(10)[0]).path("type").asText());
        var toSeg = received.get("/seg").stream().map(r -> read(r[0])).toList();
        assertEquals(11, toSeg.size(), "vip only");
        assertEquals("track", toSeg.get(0).path("type").asText());
        assertEquals("Audience Entered", toSeg.get(0).path("event").asText());
        assertEquals("Audience Exited", toSeg.get(10).path("event").asText());
        assertEquals("vip", toSeg.get(0).path("properties").path("audience_key").asText());
        assertEquals("p-0", toSeg.get(0).path("anonymousId").asText());

        // the down one: given up after its attempts
        await().atMost(WAIT).until(() -> queue(tenant, "down").failed() == 1);
        assertEquals(0, queue(tenant, "down").queued());
        assertEquals(12, queue(tenant, "all").delivered());
        assertTrue(queue(tenant, "down").lastError().orElseThrow().contains("503"));

        // a replay from before the transitions sends them again, with the same ids
        assertEquals(
                11L,
                destinations.replay(tenant, "seg", t0.minusSeconds(1)).await().atMost(WAIT));
        await().atMost(WAIT).until(() -> received.get("/seg").size() == 22);
        assertEquals(
                toSeg.get(3).path("messageId").asText(),
                read(received.get("/seg").get(14)[0]).path("messageId").asText());
    }

    @Test
    void aDestinationIsRefusedWithTheFieldAtFault() {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        var refused = org.junit.jupiter.api.Assertions.assertThrows(
                RuntimeException.class,
                () -> destinations
                        .set(tenant, change("x", "ftp://nowhere", "strata", List.of()), "alice")
                        .await()
                        .atMost(WAIT));
        assertEquals(
                "url",
                io.strata.platform.errors.Errors.violations(refused).get(0).field());
        refused = org.junit.jupiter.api.Assertions.assertThrows(
                RuntimeException.class,
                () -> destinations
                        .set(tenant, change("x", "/x", "csv", List.of()), "alice")
                        .await()
                        .atMost(WAIT));
        assertEquals(
                "format",
                io.strata.platform.errors.Errors.violations(refused).get(0).field());
    }

    private ActivationService.Change change(String id, String path, String format, List<String> audiences) {
        return new ActivationService.Change(
                id, id, path.startsWith("/") ? base + path : path, format, audiences, true, false);
    }

    private ActivationService.Queue queue(String tenant, String id) {
        return destinations.list(tenant).await().atMost(WAIT).stream()
                .filter(d -> d.id().equals(id))
                .findFirst()
                .orElseThrow()
                .queue();
    }

    private static String hmac(String secret, String text) throws Exception {
        var mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
