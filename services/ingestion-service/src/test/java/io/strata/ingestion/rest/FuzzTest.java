package io.strata.ingestion.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.proto.events.v1.Event;
import io.strata.proto.ingestion.v1.IngestionService;
import io.strata.proto.ingestion.v1.SendRequest;
import io.strata.testing.TestTopics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random and mutated payloads at every endpoint: truncated JSON, wrong types, huge
 * strings, deep nesting, invalid UTF-8, NUL bytes, broken gzip. None may get a 5xx or hang.
 * Seeded, so a failure reproduces.
 */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class FuzzTest {

    private static final long SEED = 20261123L;
    private static final int HTTP_CASES = 3000;
    private static final int GRPC_CASES = 500;
    private static final List<String> PATHS = List.of(
            "/v1/identify", "/v1/track", "/v1/page", "/v1/screen", "/v1/group", "/v1/alias", "/v1/batch", "/v1/import");

    @TestHTTPResource("/")
    URI base;

    @GrpcClient("ingestion")
    IngestionService ingestion;

    private final Random random = new Random(SEED);

    @Test
    void noPayloadGetsAServerErrorOrHangs() throws Exception {
        String writeKey = ConfigProvider.getConfig().getValue("strata.ingestion.bootstrap.write-key", String.class);
        // HTTP/1.1 as the SDKs speak it (no h2c upgrade attempts)
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        TreeMap<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        List<String> resets = new ArrayList<>();
        for (int i = 0; i < HTTP_CASES; i++) {
            String path = PATHS.get(random.nextInt(PATHS.size()));
            byte[] body = mutate(seed(path));
            boolean gzip = random.nextInt(10) == 0;
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path.substring(1)))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(gzip && random.nextBoolean() ? gzip(body) : body));
            if (gzip) {
                request.header("Content-Encoding", "gzip");
            }
            if (random.nextInt(8) != 0) {
                request.header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)));
            }
            try {
                int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                statuses.merge(status, 1, Integer::sum);
                if (status >= 500) {
                    failures.add(status + " for " + path + ": " + preview(body));
                }
            } catch (HttpTimeoutException e) {
                failures.add("no answer within 10 s for " + path + ": " + preview(body));
            } catch (IOException e) {
                // the server may close a connection on a body it refuses outright (e.g. 413); not a
                // hang, but it must stay rare: every refusal is meant to be an answer
                statuses.merge(-1, 1, Integer::sum);
                resets.add(e.getClass().getSimpleName() + " for " + path + ": " + preview(body));
            }
        }
        assertTrue(
                failures.isEmpty(),
                failures.size() + " failures, e.g. " + failures.subList(0, Math.min(5, failures.size())));
        assertTrue(
                resets.size() <= HTTP_CASES / 100,
                resets.size() + " connections cut instead of answered, e.g. "
                        + resets.subList(0, Math.min(5, resets.size())));
        assertTrue(
                statuses.getOrDefault(200, 0) > 0 && statuses.getOrDefault(400, 0) > 0,
                "the fuzzing exercised both acceptance and refusal: " + statuses);

        // the service is still healthy and serving
        HttpRequest valid = HttpRequest.newBuilder(base.resolve("v1/track"))
                .header("Content-Type", "application/json")
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"after-fuzz\",\"event\":\"X\"}"))
                .build();
        assertEquals(
                200, client.send(valid, HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    void noRandomGrpcEventGetsAnInternalError() {
        String writeKey = ConfigProvider.getConfig().getValue("strata.ingestion.bootstrap.write-key", String.class);
        Metadata metadata = new Metadata();
        metadata.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)));
        IngestionService client = GrpcClientUtils.attachHeaders(ingestion, metadata);
        for (int i = 0; i < GRPC_CASES; i++) {
            SendRequest.Builder request = SendRequest.newBuilder();
            int events = random.nextInt(5);
            for (int e = 0; e < events; e++) {
                request.addEvents(randomEvent());
            }
            try {
                client.send(request.build()).await().atMost(Duration.ofSeconds(10));
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                assertTrue(
                        code == Status.Code.INVALID_ARGUMENT || code == Status.Code.RESOURCE_EXHAUSTED,
                        "unexpected " + code + ": " + e.getStatus().getDescription());
            }
        }
    }

    private Event randomEvent() {
        Event.Builder event = Event.newBuilder().setTypeValue(random.nextInt(8));
        if (random.nextBoolean()) {
            event.setUserId(randomText());
        }
        if (random.nextBoolean()) {
            event.setAnonymousId(randomText());
        }
        if (random.nextBoolean()) {
            event.setEvent(randomText());
        }
        if (random.nextBoolean()) {
            event.setMessageId(randomText());
        }
        if (random.nextBoolean()) {
            event.setProperties(Struct.newBuilder()
                    .putFields(
                            randomText(),
                            Value.newBuilder().setStringValue(randomText()).build()));
        }
        if (random.nextInt(4) == 0) {
            event.setTimestamp(
                    com.google.protobuf.Timestamp.newBuilder().setSeconds(random.nextLong() % 253_402_300_799L));
        }
        return event.build();
    }

    private String randomText() {
        return switch (random.nextInt(5)) {
            case 0 -> "";
            case 1 -> "x".repeat(random.nextInt(40_000));
            case 2 -> "\u0000" + random.nextInt();
            case 3 -> "\ud83d\ude00 用户 " + random.nextInt();
            default -> "u" + random.nextInt(1000);
        };
    }

    /** A valid-looking body for the endpoint, to be mutated. */
    private String seed(String path) {
        String event = switch (random.nextInt(4)) {
            case 0 ->
                "{\"userId\":\"u1\",\"event\":\"Order Completed\",\"properties\":{\"revenue\":12.5,\"products\":[{\"sku\":\"A\"}]}}";
            case 1 ->
                "{\"anonymousId\":\"a1\",\"traits\":{\"email\":\"x@y.cn\"},\"timestamp\":\"2026-01-01T00:00:00Z\",\"sentAt\":\"2026-01-01T00:00:01Z\"}";
            case 2 ->
                "{\"userId\":\"u1\",\"groupId\":\"g\",\"previousId\":\"p\",\"name\":\"Home\",\"event\":\"E\",\"context\":{\"ip\":\"1.2.3.4\"}}";
            default ->
                "{\"userId\":" + randomJsonValue(0) + ",\"event\":" + randomJsonValue(0) + ",\"properties\":"
                        + randomJsonValue(0) + ",\"timestamp\":" + randomJsonValue(0) + "}";
        };
        if (path.endsWith("batch") || path.endsWith("import")) {
            String typed = event.replaceFirst(
                    "\\{",
                    "{\"type\":\""
                            + List.of("track", "identify", "page", "alias", "bogus")
                                    .get(random.nextInt(5)) + "\",");
            return "{\"batch\":[" + typed + "," + typed + "],\"sentAt\":" + randomJsonValue(0) + "}";
        }
        return event;
    }

    private String randomJsonValue(int depth) {
        return switch (random.nextInt(depth > 3 ? 5 : 8)) {
            case 0 -> "null";
            case 1 -> Integer.toString(random.nextInt());
            case 2 -> "\"" + "s".repeat(random.nextInt(50)) + "\"";
            case 3 -> random.nextBoolean() ? "true" : "1e999999";
            case 4 -> "\"\\u0000\\ud800\"";
            case 5 -> "[" + randomJsonValue(depth + 1) + "," + randomJsonValue(depth + 1) + "]";
            case 6 -> "{\"k\":" + randomJsonValue(depth + 1) + "}";
            default -> "{\"" + "k".repeat(random.nextInt(5)) + "\":" + randomJsonValue(depth + 1) + "}";
        };
    }

    private byte[] mutate(String seed) {
        byte[] bytes = seed.getBytes(StandardCharsets.UTF_8);
        return switch (random.nextInt(11)) {
            case 0 -> bytes; // unchanged: some must be accepted
            case 1 -> java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length)); // truncated
            case 2 -> flip(bytes, (byte) 0x00); // NUL byte
            case 3 -> flip(bytes, (byte) (0x80 | random.nextInt(0x7f))); // invalid UTF-8
            case 4 ->
                ("{\"userId\":\"u1\",\"event\":\"X\",\"properties\":" + "[".repeat(2000 + random.nextInt(5000))
                                + "]".repeat(random.nextInt(3)))
                        .getBytes(StandardCharsets.UTF_8); // deep nesting
            case 5 ->
                seed.replace("\"u1\"", "\"" + "u".repeat(33_000 + random.nextInt(600_000)) + "\"")
                        .getBytes(StandardCharsets.UTF_8); // huge strings
            case 6 -> { // random binary
                byte[] garbage = new byte[random.nextInt(2000)];
                random.nextBytes(garbage);
                yield garbage;
            }
            case 7 ->
                seed.replace("\"u1\"", random.nextBoolean() ? "[]" : "{\"a\":1}")
                        .getBytes(StandardCharsets.UTF_8); // wrong types
            case 8 -> "".getBytes(StandardCharsets.UTF_8);
            case 9 -> seed.replace("}", ",\"userId\":\"dup\"}").getBytes(StandardCharsets.UTF_8); // duplicate keys
            default -> flip(flip(bytes, (byte) '"'), (byte) '{');
        };
    }

    private byte[] flip(byte[] bytes, byte value) {
        if (bytes.length == 0) {
            return bytes;
        }
        byte[] copy = bytes.clone();
        copy[random.nextInt(copy.length)] = value;
        return copy;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static String preview(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }
}
