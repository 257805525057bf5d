package io.strata.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sender against a small stand-in for ingestion's /v1/batch. */
class BatchSenderTest {

    private final ObjectMapper json = new ObjectMapper();
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private URI start(Answer answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/batch", exchange -> {
            try (exchange) {
                JsonNode body = json.readTree(exchange.getRequestBody());
                answer.answer(calls.incrementAndGet(), body, exchange);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @FunctionalInterface
    private interface Answer {
        void answer(int call, JsonNode body, HttpExchange exchange) throws IOException;
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Test
    void sendsEveryCallInBatchesWaitingOutRetryAfterAndMapsRefusalsToLines() throws Exception {
        URI url = start((call, body, exchange) -> {
            if (call == 1) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                reply(exchange, 429, "{\"title\":\"slow down\"}");
                return;
            }
            // recorded here, asserted on the test's thread (a failure in the server's thread would go unseen)
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            int n = body.path("batch").size();
            boolean refuseFirst =
                    body.path("batch").get(0).path("messageId").asText().equals("m-4");
            body.path("batch").forEach(received::add);
            reply(
                    exchange,
                    refuseFirst ? 400 : 200,
                    "{\"accepted\":" + (refuseFirst ? n - 1 : n) + ",\"duplicates\":0"
                            + (refuseFirst
                                    ? ",\"rejected\":[{\"index\":0,\"field\":\"userId\",\"reason\":\"userId or anonymousId is required\"}]"
                                    : "")
                            + "}");
        });
        BatchSender.Summary summary;
        try (BatchSender sender = new BatchSender(url, "key", 3, 2)) {
            for (int i = 1; i <= 10; i++) {
                sender.add(i, "{\"type\":\"track\",\"messageId\":\"m-" + i + "\",\"event\":\"E\",\"userId\":\"u\"}");
            }
            sender.refuse(11, "malformed JSON");
            sender.finish();
            summary = sender.summary();
        }
        assertFalse(authorizations.isEmpty(), "the server was called");
        assertTrue(
                authorizations.stream()
                        .allMatch(a -> a.equals("Basic "
                                + Base64.getEncoder().encodeToString("key:".getBytes(StandardCharsets.UTF_8)))),
                "every batch carries the write key as HTTP Basic: " + authorizations);
        assertEquals(11, summary.rows);
        assertEquals(9, summary.accepted);
        assertEquals(2, summary.refused);
        assertTrue(summary.refusals.contains("line 11: malformed JSON"), summary.refusals.toString());
        assertTrue(
                summary.refusals.contains("line 4: userId: userId or anonymousId is required"),
                summary.refusals.toString());
        // the batch answered 429 was sent again: every call arrived
        assertEquals(
                10,
                received.stream()
                        .map(e -> e.path("messageId").asText())
                        .distinct()
                        .count());
    }

    @Test
    void aRefusedWriteKeyStopsTheSending() throws Exception {
        URI url = start((call, body, exchange) -> reply(exchange, 401, "{}"));
        try (BatchSender sender = new BatchSender(url, "wrong", 2, 1)) {
            BatchSender.Aborted stop = assertThrows(BatchSender.Aborted.class, () -> {
                for (int i = 1; i <= 10; i++) {
                    sender.add(i, "{\"type\":\"track\"}");
                }
                sender.finish();
            });
            assertEquals("the write key was refused", stop.getMessage());
        }
    }

    @Test
    void anAnswerTheSenderCannotUseStopsTheSendingInsteadOfLosingTheBatch() throws Exception {
        // a refusal pointing past the batch: the batch cannot be accounted for
        URI url = start((call, body, exchange) -> reply(
                exchange, 400, "{\"accepted\":0,\"rejected\":[{\"index\":99,\"field\":\"event\",\"reason\":\"x\"}]}"));
        try (BatchSender sender = new BatchSender(url, "key", 2, 1)) {
            sender.add(1, "{\"type\":\"track\"}");
            BatchSender.Aborted stop = assertThrows(BatchSender.Aborted.class, sender::finish);
            assertTrue(stop.getMessage().startsWith("a batch could not be sent"), stop.getMessage());
        }
    }

    @Test
    void batchesAreMeasuredInUtf8Bytes() {
        assertEquals(5, BatchSender.utf8Length("hello"));
        assertEquals(9, BatchSender.utf8Length("精致妈"));
        assertEquals(4, BatchSender.utf8Length("\uD83D\uDE00"));
        assertEquals(2, BatchSender.utf8Length("é"));
    }

    @Test
    void optionsThatCannotWorkAreRefusedByName() {
        for (String[] args : new String[][] {
            {"--url", "localhost:8081"}, {"--parallel", "0"}, {"--batch-size", "0"}, {"--batch-size", "2501"}
        }) {
            IngestionOptions options = new IngestionOptions();
            new picocli.CommandLine(options).parseArgs(concat(args, "--write-key", "k"));
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, options::open);
            assertTrue(refused.getMessage().startsWith(args[0]), refused.getMessage());
        }
        IngestionOptions noKey = new IngestionOptions();
        new picocli.CommandLine(noKey).parseArgs();
        assertTrue(assertThrows(IllegalArgumentException.class, noKey::open)
                .getMessage()
                .startsWith("--write-key"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
