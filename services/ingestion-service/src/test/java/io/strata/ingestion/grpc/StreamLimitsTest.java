package io.strata.ingestion.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Multi;
import io.strata.platform.errors.Errors;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.ingestion.v1.IngestionService;
import io.strata.proto.ingestion.v1.SendStreamRequest;
import io.strata.proto.ingestion.v1.SendSummary;
import io.strata.testing.TestTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * A stream is bounded: its summary lists the first rejections only (all are counted), it carries at
 * most so many events and stays open at most so long. (Small bounds in an application of its own.)
 */
@QuarkusTest
@TestProfile(StreamLimitsTest.SmallStreams.class)
@QuarkusTestResource(TestTopics.Resource.class)
class StreamLimitsTest {

    public static class SmallStreams implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "strata.ingestion.streams.max-events", "10",
                    "strata.ingestion.streams.listed-rejections", "3",
                    "strata.ingestion.streams.max-duration", "PT3S");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(15);

    @GrpcClient("ingestion")
    IngestionService client;

    private IngestionService ingestion() {
        String key = ConfigProvider.getConfig().getValue("strata.ingestion.bootstrap.write-key", String.class);
        Metadata metadata = new Metadata();
        metadata.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8)));
        return GrpcClientUtils.attachHeaders(client, metadata);
    }

    private static SendStreamRequest chunk(int valid, int invalid) {
        SendStreamRequest.Builder chunk = SendStreamRequest.newBuilder();
        for (int i = 0; i < valid; i++) {
            chunk.addEvents(Event.newBuilder()
                    .setType(EventType.EVENT_TYPE_TRACK)
                    .setUserId("u")
                    .setEvent("X"));
        }
        for (int i = 0; i < invalid; i++) {
            chunk.addEvents(
                    Event.newBuilder().setType(EventType.EVENT_TYPE_TRACK).setUserId("u"));
        }
        return chunk.build();
    }

    @Test
    void theSummaryListsTheFirstRejectionsAndCountsThemAll() {
        SendSummary summary = ingestion()
                .sendStream(Multi.createFrom().items(chunk(1, 2), chunk(0, 3), chunk(1, 2)))
                .await()
                .atMost(WAIT)
                .getSummary();
        assertEquals(2, summary.getAccepted());
        assertEquals(7, summary.getRejectedTotal());
        assertEquals(3, summary.getRejectedCount(), "the first three are listed");
        assertEquals(1, summary.getRejected(0).getIndex());
        assertEquals("event", summary.getRejected(0).getField());
    }

    @Test
    void aStreamCarriesAtMostItsMostEvents() {
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class,
                () -> ingestion()
                        .sendStream(Multi.createFrom().items(chunk(6, 0), chunk(6, 0)))
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertEquals("STREAM_LIMIT", Errors.reason(e).orElse(null));
        assertEquals(true, Errors.retryAfter(e).isEmpty(), "the same stream will not pass later");
        assertEquals("6", Errors.metadata(e, "accepted").orElse(null), "the first chunk stays stored");
    }

    @Test
    void aStreamStaysOpenAtMostItsLongest() {
        // one chunk, then silence: the stream is ended with the limit, not held open for ever
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class,
                () -> ingestion()
                        .sendStream(Multi.createFrom()
                                .items(chunk(1, 0))
                                .onCompletion()
                                .switchTo(Multi.createFrom().nothing()))
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertEquals("STREAM_LIMIT", Errors.reason(e).orElse(null));
        assertEquals("1", Errors.metadata(e, "accepted").orElse(null));
    }
}
