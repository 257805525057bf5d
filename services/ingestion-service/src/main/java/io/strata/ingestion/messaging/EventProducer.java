package io.strata.ingestion.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.strata.ingestion.domain.EventRules;
import io.strata.proto.events.v1.Event;

/** Publishes accepted events to {@code strata.events.v1}; the Uni completes when Kafka acknowledged. */
@ApplicationScoped
public class EventProducer {

    private final MutinyEmitter<byte[]> emitter;

    /** The buffer is bounded by {@code strata.ingestion.limits.max-in-flight-events} upstream. */
    public EventProducer(@Channel("events") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 65536)
            MutinyEmitter<byte[]> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> publish(Event event) {
        var metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(EventRules.key(event))
                .build();
        return emitter.sendMessage(Message.of(event.toByteArray()).addMetadata(metadata));
    }
}
