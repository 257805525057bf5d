package io.strata.profile.messaging;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.domain.IncomingEvent;
import io.strata.profile.mapping.EventMapper;
import io.strata.profile.service.EventApplier;

/**
 * Consumes {@code strata.events.v1} in batches. The batch's offsets are committed only after the
 * transaction that applied it committed (the connector commits acknowledged offsets, and the batch
 * is acknowledged when the returned Uni completes). Records that can never be applied go to the
 * dead-letter topic with the reason; a database failure is retried, then stops the consumer,
 * which turns the health check DOWN, so nothing is skipped.
 */
@ApplicationScoped
public class EventConsumer {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);

    private final EventApplier applier;
    private final DeadLetterProducer deadLetters;
    private final ProfileConfig config;

    public EventConsumer(EventApplier applier, DeadLetterProducer deadLetters, ProfileConfig config) {
        this.applier = applier;
        this.deadLetters = deadLetters;
        this.config = config;
    }

    @Incoming("events")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        List<IncomingEvent> events = new ArrayList<>(records.count());
        Uni<Void> rejected = Uni.createFrom().voidItem();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                events.add(EventMapper.toIncoming(EventMapper.parse(record.value())));
            } catch (Exception e) {
                LOG.warnf("record %s-%d@%d cannot be applied: %s", record.topic(), record.partition(), record.offset(),
                        e.getMessage());
                rejected = rejected.chain(() -> deadLetters.send(record, e));
            }
        }
        return rejected
                .chain(() -> applier.apply(events))
                .onFailure().invoke(e -> LOG.errorf(e, "applying %d events failed; retrying", events.size()))
                .onFailure().retry()
                .withBackOff(config.applyBackoff(), config.applyMaxBackoff())
                .atMost(config.applyAttempts() - 1L)
                .invoke(applied -> LOG.debugf("applied %d of %d events", (Object) applied, events.size()))
                .replaceWithVoid();
    }
}
