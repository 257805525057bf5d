package io.strata.ingestion.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.ingestion.v1.IngestionService;
import io.strata.proto.ingestion.v1.IngestionServiceGrpc;
import io.strata.proto.ingestion.v1.SendStreamRequest;
import io.strata.testing.TestTopics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * SendStream reads a chunk off the connection only once the chunk before it is stored: a client
 * sending faster than Kafka acknowledges waits in its own flow-control window, and the server
 * never holds more than the chunk it works on.
 */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class StreamFlowControlTest {

    private static final int CHUNKS = 30;
    private static final int EVENTS = 100;

    /** Counts what the transport hands SendStream, and how far ahead of the stored chunks it is. */
    @GlobalInterceptor
    @ApplicationScoped
    public static class Delivered implements ServerInterceptor {

        @Inject
        MeterRegistry registry;

        private final AtomicInteger delivered = new AtomicInteger();
        private final AtomicInteger mostAhead = new AtomicInteger();
        private volatile double acceptedBefore;

        // methods, not fields: the test holds a client proxy of this bean
        void reset() {
            delivered.set(0);
            mostAhead.set(0);
            acceptedBefore = accepted();
        }

        int delivered() {
            return delivered.get();
        }

        int mostAhead() {
            return mostAhead.get();
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            ServerCall.Listener<Q> listener = next.startCall(call, headers);
            if (!call.getMethodDescriptor()
                    .getFullMethodName()
                    .equals(IngestionServiceGrpc.getSendStreamMethod().getFullMethodName())) {
                return listener;
            }
            return new io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
                @Override
                public void onMessage(Q message) {
                    int stored = (int) ((accepted() - acceptedBefore) / EVENTS);
                    int ahead = delivered.incrementAndGet() - stored;
                    mostAhead.accumulateAndGet(ahead, Math::max);
                    super.onMessage(message);
                }
            };
        }

        double accepted() {
            return registry.counter("strata_ingestion_events_total", "outcome", "accepted")
                    .count();
        }
    }

    @Inject
    Delivered delivered;

    @GrpcClient("ingestion")
    IngestionService client;

    @Test
    void aChunkIsReadOnlyOnceTheOneBeforeIsStored() {
        String key = ConfigProvider.getConfig().getValue("strata.ingestion.bootstrap.write-key", String.class);
        Metadata metadata = new Metadata();
        metadata.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8)));
        List<SendStreamRequest> chunks = new ArrayList<>();
        for (int c = 0; c < CHUNKS; c++) {
            SendStreamRequest.Builder chunk = SendStreamRequest.newBuilder();
            for (int i = 0; i < EVENTS; i++) {
                chunk.addEvents(Event.newBuilder()
                        .setType(EventType.EVENT_TYPE_TRACK)
                        .setUserId("u-flow")
                        .setMessageId(UUID.randomUUID().toString())
                        .setEvent("Streamed"));
            }
            chunks.add(chunk.build());
        }
        delivered.reset();

        // the client sends every chunk at once; only the server's demand paces them
        var summary = GrpcClientUtils.attachHeaders(client, metadata)
                .sendStream(Multi.createFrom().iterable(chunks))
                .await()
                .atMost(Duration.ofSeconds(60))
                .getSummary();

        assertEquals(CHUNKS * EVENTS, summary.getAccepted());
        assertEquals(CHUNKS, delivered.delivered());
        assertTrue(
                delivered.mostAhead() <= 1,
                "a chunk was handed over while " + (delivered.mostAhead() - 1)
                        + " before it were still unstored: the server read ahead of its work");
    }
}
