package io.strata.ingestion.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.EventRules;
import io.strata.proto.events.v1.Event;

/**
 * Publishes accepted events to the events topic with Kafka's own producer (acks=all, idempotent).
 * A request's events go out together and its Uni completes once the broker has answered for each
 * of them. Sends are handed to one thread of their own, since the producer may block (waiting for
 * metadata or buffer space), which the event loop must never do.
 *
 * <p>This is the one hot path that bypasses SmallRye Reactive Messaging's emitter: a Message,
 * its metadata and a Uni per event cost more than the whole rest of ingestion
 * (docs/benchmarks/ingestion.md).
 */
@ApplicationScoped
public class EventProducer {

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "strata-event-sender");
        thread.setDaemon(true);
        return thread;
    });

    public EventProducer(IngestionConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        Map<String, Object> props = new HashMap<>(config.producer());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "ingestion-service");
        // the guarantees the API promises are not configurable
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = config.topic();
    }

    /** One flag per event, in order: whether Kafka acknowledged it. Never fails. */
    public Uni<boolean[]> publish(List<Event> events) {
        boolean[] acked = new boolean[events.size()];
        CompletableFuture<boolean[]> done = new CompletableFuture<>();
        if (events.isEmpty()) {
            return Uni.createFrom().item(acked);
        }
        // serialised on the caller's thread, so the one sender thread only hands records over
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events.size());
        for (Event event : events) {
            records.add(new ProducerRecord<>(topic, EventRules.key(event), event.toByteArray()));
        }
        AtomicInteger pending = new AtomicInteger(events.size());
        sender.execute(() -> {
            for (int i = 0; i < records.size(); i++) {
                int index = i;
                try {
                    producer.send(records.get(i),
                            (metadata, error) -> {
                                acked[index] = error == null;
                                if (pending.decrementAndGet() == 0) {
                                    done.complete(acked);
                                }
                            });
                } catch (RuntimeException e) {
                    // refused before it was sent (e.g. no metadata within max.block.ms)
                    if (pending.decrementAndGet() == 0) {
                        done.complete(acked);
                    }
                }
            }
        });
        return Uni.createFrom().completionStage(done);
    }

    /** Whether the broker answers for the topic (a metadata request, bounded by max.block.ms). */
    public boolean reachable() {
        try {
            return !producer.partitionsFor(topic).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @PreDestroy
    void close() {
        sender.shutdown();
        producer.close(Duration.ofSeconds(10));
    }
}
