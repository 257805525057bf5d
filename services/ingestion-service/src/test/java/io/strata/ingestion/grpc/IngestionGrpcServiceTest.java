package io.strata.ingestion.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.ingestion.v1.IngestionService;
import io.strata.proto.ingestion.v1.SendRequest;
import io.strata.proto.ingestion.v1.SendStreamRequest;
import io.strata.proto.ingestion.v1.SendSummary;
import io.strata.testing.KafkaProbe;
import io.strata.testing.TestTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The partners' gRPC API: write key in metadata, the HTTP API's rules, per-event results. */
@QuarkusTest
class IngestionGrpcServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @GrpcClient("ingestion")
    IngestionService ingestion;

    private IngestionService withKey(String writeKey) {
        Metadata metadata = new Metadata();
        metadata.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)));
        return GrpcClientUtils.attachHeaders(ingestion, metadata);
    }

    private static String writeKey() {
        return ConfigProvider.getConfig().getValue("strata.ingestion.bootstrap.write-key", String.class);
    }

    private static Event track(String userId, String messageId) {
        return Event.newBuilder()
                .setType(EventType.EVENT_TYPE_TRACK)
                .setUserId(userId)
                .setMessageId(messageId)
                .setEvent("Order Completed")
                .setTenant("someone-else")
                .build();
    }

    @Test
    void sendPublishesValidEventsStampedWithTheSourcesTenant() throws Exception {
        String run = UUID.randomUUID().toString();
        try (KafkaProbe probe = new KafkaProbe(TestTopics.INCOMING)) {
            SendSummary summary = withKey(writeKey())
                    .send(SendRequest.newBuilder()
                            .addEvents(track("u-" + run, run + "-1"))
                            .addEvents(Event.newBuilder()
                                    .setType(EventType.EVENT_TYPE_TRACK)
                                    .setMessageId(run + "-2")
                                    .setEvent("X")
                                    .build())
                            .addEvents(Event.newBuilder()
                                    .setUserId("u")
                                    .setMessageId(run + "-3")
                                    .build())
                            .build())
                    .await()
                    .atMost(WAIT)
                    .getSummary();
            assertEquals(1, summary.getAccepted());
            assertEquals(2, summary.getRejectedCount());
            assertEquals("userId", summary.getRejected(0).getField());
            assertEquals(1, summary.getRejected(0).getIndex());
            assertEquals("type", summary.getRejected(1).getField());
            var records = probe.await(r -> r.key().contains(run), 1, WAIT);
            assertEquals(1, records.size());
            Event published = Event.parseFrom(records.get(0).value());
            assertEquals("test-ingestion", published.getTenant(), "the tenant comes from the write key");
        }
    }

    @Test
    void aStreamIsSummarisedOnceWithIndicesAcrossChunks() {
        String run = UUID.randomUUID().toString();
        SendSummary summary = withKey(writeKey())
                .sendStream(Multi.createFrom()
                        .items(
                                SendStreamRequest.newBuilder()
                                        .addEvents(track("u-" + run, run + "-1"))
                                        .addEvents(track("u-" + run, run + "-2"))
                                        .build(),
                                SendStreamRequest.newBuilder()
                                        .addEvents(track("u-" + run, run + "-1"))
                                        .addEvents(Event.newBuilder()
                                                .setType(EventType.EVENT_TYPE_TRACK)
                                                .setUserId("u")
                                                .build())
                                        .build()))
                .await()
                .atMost(WAIT)
                .getSummary();
        // each message of the stream is taken as it comes: run-1 of the second message is
        // published again and dropped by dedup-service, not counted here
        assertEquals(3, summary.getAccepted());
        assertEquals(0, summary.getDuplicates());
        assertEquals(1, summary.getRejectedCount());
        assertEquals(3, summary.getRejected(0).getIndex());
        assertEquals("event", summary.getRejected(0).getField());
    }

    @Test
    void callsWithoutAValidWriteKeyAreUnauthenticated() {
        StatusRuntimeException none = assertThrows(
                StatusRuntimeException.class,
                () -> ingestion
                        .send(SendRequest.newBuilder()
                                .addEvents(track("u", "m"))
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
        StatusRuntimeException wrong = assertThrows(
                StatusRuntimeException.class,
                () -> withKey("nope")
                        .send(SendRequest.newBuilder()
                                .addEvents(track("u", "m"))
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.UNAUTHENTICATED, wrong.getStatus().getCode());
    }
}
