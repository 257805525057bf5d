package io.strata.ingestion.messaging;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.mapping.EventRules;
import io.strata.platform.kafka.KafkaConnection;
import io.strata.platform.kafka.TraceHeaders;
import io.strata.proto.events.v1.Event;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Publishes accepted events to the incoming topic with Kafka's own producer (acks=all, idempotent),
 * keyed {@code sourceId/messageId}: dedup-service, partitioned by that key, drops an id seen again
 * within the window and forwards first sightings to {@code strata.events.v1}.
 * A request's events go out together and its Uni completes once the broker has answered for each
 * of them. Sends are handed to one thread of their own, since the producer may block (waiting for
 * metadata or buffer space), which the event loop must never do.
 *
 * <p>This is the one hot path that bypasses SmallRye Reactive Messaging's emitter: a Message,
 * its metadata and a Uni per event cost more than the whole rest of ingestion
 * (docs/benchmarks/ingestion.md).
 *
 * <p>Tracing: a request's events are published under one producer span, a child of the request's
 * span, ended when Kafka has answered for all of them; each record carries that span's context in
 * its headers, which dedup-service and profile-service continue.
 */
@ApplicationScoped
public class EventProducer {

    /** How long sends are refused at once after the producer could not reach the broker. */
    private static final long UNREACHABLE_BACKOFF_NANOS = 2_000_000_000L;

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final OpenTelemetry telemetry;
    private final Tracer tracer;
    private volatile long unreachableUntil = System.nanoTime();
    private volatile long lastAck = 0;
    private volatile long lastFailure = 0;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "strata-event-sender");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public EventProducer(
            IngestionConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            OpenTelemetry telemetry) {
        this(withBootstrap(checked(config), bootstrapServers), config.topic(), telemetry);
    }

    /** The producer's settings, refused when its buffer could not hold the in-flight budget. */
    private static Map<String, String> checked(IngestionConfig config) {
        long buffer = Long.parseLong(config.producer().getOrDefault(ProducerConfig.BUFFER_MEMORY_CONFIG, "33554432"));
        long inFlight = config.limits().maxInFlightBytes();
        if (buffer < inFlight + inFlight / 4) {
            throw new IllegalStateException("strata.ingestion.producer.\"buffer.memory\" (" + buffer
                    + ") must hold strata.ingestion.limits.max-in-flight-bytes (" + inFlight
                    + ") and a quarter more for the records' overhead");
        }
        return config.producer();
    }

    EventProducer(Map<String, String> settings, String topic) {
        this(settings, topic, OpenTelemetry.noop());
    }

    EventProducer(Map<String, String> settings, String topic, OpenTelemetry telemetry) {
        Map<String, Object> props = new HashMap<>(settings);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "ingestion-service");
        // the guarantees the API promises are not configurable
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.telemetry = telemetry;
        this.tracer = telemetry.getTracer("io.strata.ingestion");
    }

    private static Map<String, String> withBootstrap(Map<String, String> settings, String bootstrapServers) {
        Map<String, String> props = new HashMap<>(settings);
        KafkaConnection.settings(bootstrapServers).forEach((k, v) -> props.put(k, String.valueOf(v)));
        return props;
    }

    /**
     * One flag per event, in order: whether Kafka acknowledged it. Never fails, and never waits
     * long for a broker that cannot be reached: once a send is refused (no metadata within
     * max.block.ms), the rest of the request and the requests of the next seconds are refused at
     * once, instead of each event waiting max.block.ms in turn on the one sender thread.
     */
    public Uni<boolean[]> publish(List<Event> events) {
        boolean[] acked = new boolean[events.size()];
        if (events.isEmpty() || System.nanoTime() < unreachableUntil) {
            return Uni.createFrom().item(acked);
        }
        // the caller's context is the request's: the span starts here, not on the sender thread
        Span span = tracer.spanBuilder(topic + " publish")
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", topic)
                .setAttribute("messaging.batch.message_count", (long) events.size())
                .startSpan();
        // with tracing off the span is a no-op: the records carry no headers and cost nothing more
        Context traced = span.getSpanContext().isValid() ? Context.current().with(span) : null;
        // serialised on the caller's thread, so the one sender thread only hands records over
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events.size());
        for (Event event : events) {
            ProducerRecord<String, byte[]> record =
                    new ProducerRecord<>(topic, EventRules.incomingKey(event), event.toByteArray());
            if (traced != null) {
                TraceHeaders.inject(telemetry, traced, record.headers());
            }
            records.add(record);
        }
        CompletableFuture<boolean[]> done = new CompletableFuture<>();
        done.thenAccept(flags -> ended(span, flags));
        AtomicInteger pending = new AtomicInteger(events.size());
        sender.execute(() -> {
            for (int i = 0; i < records.size(); i++) {
                int index = i;
                if (System.nanoTime() >= unreachableUntil) {
                    try {
                        // a metadata timeout comes back through the callback, within send()
                        producer.send(records.get(i), (metadata, error) -> {
                            acked[index] = error == null;
                            if (error == null) {
                                lastAck = System.nanoTime();
                            } else {
                                lastFailure = System.nanoTime();
                            }
                            // a full buffer is load, not an unreachable broker (the in-flight budget
                            // keeps it from filling)
                            if (error instanceof TimeoutException && !(error instanceof BufferExhaustedException)) {
                                unreachable();
                            }
                            if (pending.decrementAndGet() == 0) {
                                done.complete(acked);
                            }
                        });
                        continue;
                    } catch (RuntimeException e) {
                        unreachable();
                    }
                }
                if (pending.decrementAndGet() == 0) {
                    done.complete(acked);
                }
            }
        });
        return Uni.createFrom().completionStage(done);
    }

    private static void ended(Span span, boolean[] acked) {
        int refused = 0;
        for (boolean ack : acked) {
            refused += ack ? 0 : 1;
        }
        if (refused > 0) {
            span.setStatus(StatusCode.ERROR, refused + " of " + acked.length + " events not acknowledged");
        }
        span.end();
    }

    private void unreachable() {
        lastFailure = System.nanoTime();
        unreachableUntil = lastFailure + UNREACHABLE_BACKOFF_NANOS;
    }

    /**
     * Whether sends fail now: the latest answer Kafka gave (or the latest send that could not
     * reach it) was a failure, within {@code recent}. (Without traffic the state ages out.)
     */
    public boolean failing(Duration recent) {
        long failure = lastFailure;
        return failure != 0 && failure - lastAck > 0 && System.nanoTime() - failure < recent.toNanos();
    }

    @PreDestroy
    void close() {
        sender.shutdown();
        producer.close(Duration.ofSeconds(10));
    }
}
