package io.strata.profile.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Sends records that can never be applied to {@code strata.events.dlq.v1}, with the reason. */
@ApplicationScoped
public class DeadLetterProducer {

    private final MutinyEmitter<byte[]> emitter;

    public DeadLetterProducer(@Channel("events-dlq") MutinyEmitter<byte[]> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> send(ConsumerRecord<String, byte[]> record, Throwable reason) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("strata-dlq-reason", String.valueOf(reason.getMessage()).getBytes(StandardCharsets.UTF_8));
        headers.add("strata-dlq-service", "profile-service".getBytes(StandardCharsets.UTF_8));
        headers.add(
                "strata-dlq-origin",
                (record.topic() + "-" + record.partition() + "@" + record.offset()).getBytes(StandardCharsets.UTF_8));
        var metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(record.key())
                .withHeaders(headers)
                .build();
        byte[] value = record.value() == null ? new byte[0] : record.value();
        return emitter.sendMessage(Message.of(value).addMetadata(metadata));
    }
}
