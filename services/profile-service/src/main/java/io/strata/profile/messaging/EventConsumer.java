package io.strata.profile.messaging;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.domain.IncomingEvent;
import io.strata.profile.mapping.EventMapper;
import io.strata.profile.service.EventApplier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code strata.events.v1} in batches. The batch's offsets are committed only after the
 * transaction that applied it committed (the connector commits acknowledged offsets, and the batch
 * is acknowledged when the returned Uni completes). Records that can never be applied go to the
 * dead-letter topic with the reason, and so do events the database refuses whatever the attempt
 * (bad data: the batch is then applied event by event); any other database failure is retried,
 * then stops the consumer,
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
        List<Parsed> parsed = new ArrayList<>(records.count());
        Uni<Void> rejected = Uni.createFrom().voidItem();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                parsed.add(new Parsed(record, EventMapper.toIncoming(EventMapper.parse(record.value()))));
            } catch (Exception e) {
                LOG.warnf(
                        "record %s-%d@%d cannot be applied: %s",
                        record.topic(), record.partition(), record.offset(), e.getMessage());
                rejected = rejected.chain(() -> deadLetters.send(record, e));
            }
        }
        List<IncomingEvent> events = parsed.stream().map(Parsed::event).toList();
        return rejected.chain(() -> applier.apply(events))
                // an event the database refuses whatever the attempt must not hold up the others
                .onFailure(DataErrors::isPermanent)
                .recoverWithUni(() -> oneByOne(parsed))
                .onFailure()
                .invoke(e -> LOG.errorf(e, "applying %d events failed; retrying", events.size()))
                .onFailure()
                .retry()
                .withBackOff(config.applyBackoff(), config.applyMaxBackoff())
                .atMost(config.applyAttempts() - 1L)
                .invoke(applied -> LOG.debugf("applied %d of %d events", (Object) applied, events.size()))
                .replaceWithVoid();
    }

    /** Each event in its own transaction; those the database refuses go to the dead-letter topic. */
    private Uni<Integer> oneByOne(List<Parsed> parsed) {
        return Multi.createFrom()
                .iterable(parsed)
                .onItem()
                .transformToUniAndConcatenate(p -> applier.apply(List.of(p.event()))
                        .onFailure(DataErrors::isPermanent)
                        .recoverWithUni(e -> {
                            LOG.warnf(
                                    "event %s of tenant %s cannot be stored: %s",
                                    p.event().messageId(), p.event().tenant(), e.getMessage());
                            return deadLetters.send(p.record(), e).replaceWith(0);
                        }))
                .collect()
                .with(Collectors.summingInt(Integer::intValue));
    }

    private record Parsed(ConsumerRecord<String, byte[]> record, IncomingEvent event) {}
}
