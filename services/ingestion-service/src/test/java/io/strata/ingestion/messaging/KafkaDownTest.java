package io.strata.ingestion.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.strata.platform.errors.Errors;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.ingestion.v1.IngestionService;
import io.strata.proto.ingestion.v1.SendRequest;
import io.strata.testing.Management;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * With no broker: nothing is acknowledged, callers are told to retry (503 / UNAVAILABLE with the
 * time to wait), work waiting for the broker is bounded (503 beyond the budget), and readiness is
 * DOWN. (An application of its own, whose Kafka is a port where nothing listens.)
 */
@QuarkusTest
@TestProfile(KafkaDownTest.NoBroker.class)
class KafkaDownTest {

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "kafka.bootstrap.servers", "127.0.0.1:1",
                    "strata.ingestion.producer.\"max.block.ms\"", "3000",
                    "strata.ingestion.limits.max-in-flight-events", "200",
                    "strata.ingestion.limits.max-batch-events", "100");
        }
    }

    @GrpcClient("ingestion")
    IngestionService grpc;

    @Inject
    MeterRegistry registry;

    private static String writeKey() {
        return ConfigProvider.getConfig().getValue("strata.ingestion.bootstrap.write-key", String.class);
    }

    private static String readiness() {
        return Management.url("/q/health/ready");
    }

    private static String batch(int events) {
        return "{\"batch\":["
                + String.join(",", Collections.nCopies(events, "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"X\"}"))
                + "]}";
    }

    private static io.restassured.response.Response post(String body) {
        return given().auth()
                .preemptive()
                .basic(writeKey(), "")
                .contentType(ContentType.JSON)
                .body(body)
                .post("/v1/batch");
    }

    @Test
    void withoutABrokerNothingIsAcknowledgedWorkIsBoundedAndReadinessIsDown() throws Exception {
        given().get(readiness())
                .then()
                .statusCode(503)
                .body("checks.find { it.name == 'kafka' }.data.reason", is("the cluster does not answer"));

        // a tenant's first batch waits for the broker (max.block.ms); the tenant's next does not queue behind it
        CompletableFuture<io.restassured.response.Response> waiting =
                CompletableFuture.supplyAsync(() -> post(batch(100)));
        await().atMost(Duration.ofSeconds(2))
                .until(() -> registry.find("strata_ingestion_events_in_flight")
                                .gauge()
                                .value()
                        >= 100);
        post(batch(100)).then().statusCode(503).header("Retry-After", "1").body("reason", is("OVERLOADED"));
        waiting.get().then().statusCode(503).header("Retry-After", "5").body("reason", is("BROKER_UNAVAILABLE"));
        assertEquals(
                0.0, registry.find("strata_ingestion_events_in_flight").gauge().value(), "all given back");

        // gRPC says the same, with the time to wait as RetryInfo
        Metadata key = new Metadata();
        key.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Basic " + Base64.getEncoder().encodeToString((writeKey() + ":").getBytes(StandardCharsets.UTF_8)));
        StatusRuntimeException unavailable = assertThrows(
                StatusRuntimeException.class,
                () -> GrpcClientUtils.attachHeaders(grpc, key)
                        .send(SendRequest.newBuilder()
                                .addEvents(Event.newBuilder()
                                        .setType(EventType.EVENT_TYPE_TRACK)
                                        .setUserId("u")
                                        .setEvent("X"))
                                .build())
                        .await()
                        .atMost(Duration.ofSeconds(10)));
        assertEquals(Status.Code.UNAVAILABLE, unavailable.getStatus().getCode());
        assertEquals("BROKER_UNAVAILABLE", Errors.reason(unavailable).orElse(null));
        assertTrue(Errors.retryAfter(unavailable).orElseThrow().toSeconds() > 0);

        given().get(readiness())
                .then()
                .statusCode(503)
                .body("checks.find { it.name == 'kafka' }.data.reason", is("the latest sends to Kafka failed"));
    }
}
