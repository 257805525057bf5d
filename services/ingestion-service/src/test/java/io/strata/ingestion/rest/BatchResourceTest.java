package io.strata.ingestion.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.strata.ingestion.support.Published;
import io.strata.proto.events.v1.Event;
import io.strata.testing.KafkaProbe;
import io.strata.testing.LocalStack;
import io.strata.testing.TestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batches, limits, gzip and duplicates within a request, checked against what reaches the real topic. */
@QuarkusTest
class BatchResourceTest {

    private static final String TOPIC = TestTopics.INCOMING;
    private static String writeKey;

    @BeforeAll
    static void stack() {
        LocalStack.requireKafkaAndPostgres();
        writeKey = ConfigProvider.getConfig().getValue("strata.ingestion.bootstrap.write-key", String.class);
    }

    static String track(String userId, String messageId) {
        return "{\"type\":\"track\",\"userId\":\"" + userId + "\",\"messageId\":\"" + messageId
                + "\",\"event\":\"Product Viewed\"}";
    }

    @Test
    void aBatchPublishesItsValidEventsAndListsTheOthers() throws Exception {
        String run = UUID.randomUUID().toString();
        String body = "{\"batch\":[" + track("u-" + run, run + "-1") + ","
                + "{\"type\":\"track\",\"userId\":\"u-" + run + "\",\"messageId\":\"" + run + "-2\"},"
                + "{\"type\":\"identify\",\"userId\":\"u-" + run + "\",\"messageId\":\"" + run
                + "-3\",\"traits\":{\"vip\":true}},"
                + "{\"type\":\"purchase\",\"userId\":\"u-" + run + "\"}"
                + "],\"context\":{\"library\":{\"name\":\"test\"}}}";
        try (KafkaProbe probe = new KafkaProbe(TOPIC)) {
            given().auth()
                    .preemptive()
                    .basic(writeKey, "")
                    .contentType(ContentType.JSON)
                    .body(body)
                    .post("/v1/batch")
                    .then()
                    .statusCode(200)
                    .body("success", is(false))
                    .body("accepted", is(2))
                    .body("rejected", hasSize(2))
                    .body("rejected[0].index", is(1))
                    .body("rejected[0].messageId", is(run + "-2"))
                    .body("rejected[0].field", is("event"))
                    .body("rejected[1].index", is(3))
                    .body("rejected[1].field", is("type"));
            var records = probe.await(r -> r.key().contains(run), 2, Duration.ofSeconds(10));
            assertEquals(2, records.size());
            Event first = Event.parseFrom(records.get(0).value());
            assertEquals(
                    "test",
                    first.getContext()
                            .getFieldsOrThrow("library")
                            .getStructValue()
                            .getFieldsOrThrow("name")
                            .getStringValue(),
                    "the batch's context reaches its events");
            assertTrue(
                    probe.drain(Duration.ofSeconds(1)).stream().noneMatch(r -> Published.mentions(r, run)),
                    "the invalid events were not published");
        }
    }

    @Test
    void segmentLibrariesPostGzipBatchesToImportWithTheKeyInTheBody() throws Exception {
        String run = UUID.randomUUID().toString();
        String body = "{\"writeKey\":\"" + writeKey + "\",\"sentAt\":\"2026-01-01T00:00:00Z\",\"batch\":["
                + track("u-" + run, run) + "]}";
        try (KafkaProbe probe = new KafkaProbe(TOPIC)) {
            given().contentType(ContentType.JSON)
                    .header("Content-Encoding", "gzip")
                    .body(RequestBodiesTest.gzip(body.getBytes(StandardCharsets.UTF_8)))
                    .post("/v1/import/")
                    .then()
                    .statusCode(200)
                    .body("success", is(true))
                    .body("accepted", is(1));
            assertEquals(
                    1,
                    probe.await(r -> r.key().contains(run), 1, Duration.ofSeconds(10))
                            .size());
        }
    }

    @Test
    void aMessageIdTwiceInOneRequestIsPublishedOnceAndAResendReachesTheDedupStage() {
        String run = UUID.randomUUID().toString();
        String body = "{\"batch\":[" + track("u-" + run, run) + "," + track("u-" + run, run) + "]}";
        try (KafkaProbe probe = new KafkaProbe(TOPIC)) {
            given().auth()
                    .preemptive()
                    .basic(writeKey, "")
                    .contentType(ContentType.JSON)
                    .body(body)
                    .post("/v1/batch")
                    .then()
                    .statusCode(200)
                    .body("accepted", is(1))
                    .body("duplicates", is(1));
            given().auth()
                    .preemptive()
                    .basic(writeKey, "")
                    .contentType(ContentType.JSON)
                    .body(track("u-" + run, run))
                    .post("/v1/track")
                    .then()
                    .statusCode(200)
                    .body("success", is(true));
            // the resend in another request is acknowledged and goes to the incoming topic again:
            // dedup-service drops it before strata.events.v1 (DedupTopologyTest, SliceIT)
            assertEquals(
                    2,
                    probe.await(r -> r.key().contains(run), 2, Duration.ofSeconds(10))
                            .size());
            assertEquals(
                    0,
                    probe.drain(Duration.ofSeconds(1)).stream()
                            .filter(r -> r.key().contains(run))
                            .count());
        }
    }

    @Test
    void limitsAreEnforcedNamingWhatIsTooLarge() throws Exception {
        String big = "x".repeat(33 * 1024);
        given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body("{\"userId\":\"u1\",\"event\":\"X\",\"properties\":{\"blob\":\"" + big + "\"}}")
                .post("/v1/track")
                .then()
                .statusCode(413)
                .body("detail", containsString("32 KB"));
        given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body("{\"batch\":[{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"X\",\"properties\":{\"blob\":\""
                        + big + "\"}}," + track("u1", UUID.randomUUID().toString()) + "]}")
                .post("/v1/batch")
                .then()
                .statusCode(200)
                .body("accepted", is(1))
                .body("rejected[0].reason", containsString("32 KB"));
        String events = String.join(
                ",", java.util.Collections.nCopies(2501, "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"X\"}"));
        given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body("{\"batch\":[" + events + "]}")
                .post("/v1/batch")
                .then()
                .statusCode(400)
                .body("field", is("batch"))
                .body("detail", containsString("at most 2500"));
        // a body over the request limit is refused on its Content-Length; with Expect: 100-continue
        // the client learns it before sending the body (otherwise the refusal can cut the upload)
        String huge = "{\"batch\":[],\"pad\":\"" + "y".repeat(520_000) + "\"}";
        HttpResponse<String> refused = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/batch"))
                                .expectContinue(true)
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString(
                                                                (writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(huge))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(413, refused.statusCode(), refused.body());
    }

    @Test
    void aBatchWithoutOneValidEventIsRefused() {
        given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body("{\"batch\":[{\"type\":\"track\"}]}")
                .post("/v1/batch")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("rejected[0].field", is("userId"));
        given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body("{\"batch\":{}}")
                .post("/v1/batch")
                .then()
                .statusCode(400)
                .body("field", is("batch"));
    }

    @Test
    void everyCallTypeIsAccepted() {
        for (String call : List.of("identify", "track", "page", "screen", "group", "alias")) {
            given().auth()
                    .preemptive()
                    .basic(writeKey, "")
                    .contentType(ContentType.JSON)
                    .body("{\"userId\":\"u1\",\"event\":\"E\",\"groupId\":\"g\",\"previousId\":\"p\",\"name\":\"N\"}")
                    .post("/v1/" + call)
                    .then()
                    .statusCode(200);
        }
    }
}
