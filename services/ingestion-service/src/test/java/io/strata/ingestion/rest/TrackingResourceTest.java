package io.strata.ingestion.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.strata.ingestion.support.Published;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.testing.KafkaProbe;
import io.strata.testing.LocalStack;
import io.strata.testing.Management;
import io.strata.testing.RecordedSpans;
import io.strata.testing.TestTopics;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tracking API against the real topic: what is acknowledged is on Kafka, what is refused is not. */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class TrackingResourceTest {

    @Inject
    RecordedSpans spans;

    private static final String TOPIC = TestTopics.INCOMING;
    private static String writeKey;
    private static String tenant;

    @BeforeAll
    static void stack() {
        LocalStack.requireKafkaAndPostgres();
        writeKey = ConfigProvider.getConfig().getValue("strata.ingestion.bootstrap.write-key", String.class);
        tenant = ConfigProvider.getConfig().getValue("strata.ingestion.bootstrap.tenant", String.class);
    }

    @Test
    void anAcknowledgedTrackIsOnTheTopic() throws Exception {
        String messageId = UUID.randomUUID().toString();
        try (KafkaProbe probe = new KafkaProbe(TOPIC)) {
            given().auth()
                    .preemptive()
                    .basic(writeKey, "")
                    .contentType(ContentType.JSON)
                    .body("""
                            {"userId":"u-%s","messageId":"%s","event":"Product Viewed",
                             "properties":{"sku":"SKU-1"}}""".formatted(messageId, messageId))
                    .post("/v1/track")
                    .then()
                    .statusCode(200)
                    .body("success", is(true));

            var records = probe.await(r -> r.key().endsWith(messageId), 1, Duration.ofSeconds(10));
            assertEquals(1, records.size());
            Event event = Event.parseFrom(records.get(0).value());
            assertEquals(
                    event.getSourceId() + "/" + messageId,
                    records.get(0).key(),
                    "dedup-service keys its window by source and messageId");
            assertEquals(tenant, event.getTenant());
            assertEquals(EventType.EVENT_TYPE_TRACK, event.getType());
            assertEquals("Product Viewed", event.getEvent());
            assertEquals("SKU-1", event.getProperties().getFieldsOrThrow("sku").getStringValue());
        }
    }

    @Test
    void theRecordCarriesTheRequestsTraceUnderItsPublishSpan() throws Exception {
        String messageId = UUID.randomUUID().toString();
        try (KafkaProbe probe = new KafkaProbe(TOPIC)) {
            given().auth()
                    .preemptive()
                    .basic(writeKey, "")
                    .contentType(ContentType.JSON)
                    .body("{\"userId\":\"u-%s\",\"messageId\":\"%s\",\"event\":\"Traced\"}"
                            .formatted(messageId, messageId))
                    .post("/v1/track")
                    .then()
                    .statusCode(200);

            var record = probe.await(r -> r.key().endsWith(messageId), 1, Duration.ofSeconds(10))
                    .get(0);
            Header traceparent = record.headers().lastHeader("traceparent");
            assertNotNull(traceparent, "the record carries a trace context");
            // 00-<trace id>-<span id>-<flags>
            String[] parts = new String(traceparent.value(), StandardCharsets.UTF_8).split("-");
            SpanData publish = spans.await(
                    s -> s.getTraceId().equals(parts[1]) && s.getSpanId().equals(parts[2]), Duration.ofSeconds(10));
            assertEquals(TOPIC + " publish", publish.getName());
            assertEquals(SpanKind.PRODUCER, publish.getKind());
            SpanData request =
                    spans.await(s -> s.getSpanId().equals(publish.getParentSpanId()), Duration.ofSeconds(10));
            assertEquals(SpanKind.SERVER, request.getKind(), "the publish span is the request's child");
            assertEquals(parts[1], request.getTraceId());
        }
    }

    @Test
    void theWriteKeyMayComeInTheBody() {
        given().contentType(ContentType.JSON)
                .body("{\"writeKey\":\"" + writeKey + "\",\"userId\":\"u1\",\"traits\":{\"plan\":\"vip\"}}")
                .post("/v1/identify")
                .then()
                .statusCode(200);
    }

    @Test
    void malformedJsonIsRefusedAndNothingIsPublished() throws Exception {
        String marker = UUID.randomUUID().toString();
        try (KafkaProbe probe = new KafkaProbe(TOPIC)) {
            given().auth()
                    .preemptive()
                    .basic(writeKey, "")
                    .contentType(ContentType.JSON)
                    .body("{\"userId\":\"" + marker + "\",\"event\":\"X\"")
                    .post("/v1/track")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("detail", containsString("malformed JSON"));
            // a well-formed event of the same user after it: once it is on the topic, anything
            // published for the malformed one would be too
            given().auth()
                    .preemptive()
                    .basic(writeKey, "")
                    .contentType(ContentType.JSON)
                    .body("{\"userId\":\"" + marker + "\",\"event\":\"After\"}")
                    .post("/v1/track")
                    .then()
                    .statusCode(200);
            var mentioning = probe.await(r -> Published.mentions(r, marker), 2, Duration.ofSeconds(5));
            assertEquals(1, mentioning.size(), "only the well-formed event was published");
            assertEquals("After", Event.parseFrom(mentioning.get(0).value()).getEvent());
        }
    }

    @Test
    void anEventWithoutIdentityIsRefusedNamingTheField() {
        given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body("{\"event\":\"X\"}")
                .post("/v1/track")
                .then()
                .statusCode(400)
                .body("field", is("userId"));
    }

    @Test
    void aTrackWithoutEventIsRefused() {
        given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body("{\"userId\":\"u1\"}")
                .post("/v1/track")
                .then()
                .statusCode(400)
                .body("field", is("event"));
    }

    @Test
    void unknownOrMissingWriteKeysAreRefused() {
        given().auth()
                .preemptive()
                .basic("not-a-key", "")
                .contentType(ContentType.JSON)
                .body("{\"userId\":\"u1\",\"event\":\"X\"}")
                .post("/v1/track")
                .then()
                .statusCode(401);
        given().contentType(ContentType.JSON)
                .body("{\"userId\":\"u1\",\"event\":\"X\"}")
                .post("/v1/track")
                .then()
                .statusCode(401)
                .body("detail", containsString("write key is required"));
    }

    @Test
    void healthAndMetricsAreOnTheManagementPortNeverOnThePublicOne() {
        String admin = Management.url("");
        given().get(admin + "/q/health/ready").then().statusCode(200).body("status", is("UP"));
        given().get(admin + "/q/metrics").then().statusCode(200).body(containsString("http_server_requests"));
        for (String path : List.of("/q/metrics", "/q/health", "/q/health/ready", "/q/openapi")) {
            given().get(path).then().statusCode(404);
        }
    }
}
