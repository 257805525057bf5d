package io.strata.ingestion.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.strata.ingestion.domain.SegmentEventParser;
import io.strata.proto.events.v1.Event;

/** Publishes accepted events to {@code strata.events.v1}; the Uni completes when Kafka acknowledged. */
@ApplicationScoped
public class EventProducer {

    private final MutinyEmitter<byte[]> emitter;

    public EventProducer(@Channel("events") MutinyEmitter<byte[]> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> publish(Event event) {
        var metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(SegmentEventParser.key(event))
                .build();
        return emitter.sendMessage(Message.of(event.toByteArray()).addMetadata(metadata));
    }
}
