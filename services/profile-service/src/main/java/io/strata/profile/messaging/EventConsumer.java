package io.strata.profile.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.platform.kafka.DeadLetterProducer;
import io.strata.platform.kafka.TraceHeaders;
import io.strata.platform.logging.LogSafe;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.domain.IncomingEvent;
import io.strata.profile.mapping.EventMapper;
import io.strata.profile.service.EventApplier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code strata.events.v1} in batches. The batch's offsets are committed only after the
 * transaction that applied it committed (the connector commits acknowledged offsets, and the batch
 * is acknowledged when the returned Uni completes).
 *
 * <ul>
 *   <li>Records that are no event go to the dead-letter topic with the reason, once, before the
 *       batch is applied.
 *   <li>A batch that another writer's changes overtook is applied again at once (a few times).
 *   <li>Events the database refuses whatever the attempt (bad data) send the batch through event
 *       by event; those refused go to the dead-letter topic, once each.
 *   <li>Any other failure is retried with back-off, then stops the consumer, which turns the
 *       health check DOWN, so nothing is skipped.
 * </ul>
 *
 * Only the applying is retried: a dead letter is never sent twice by a retry.
 *
 * <p>Tracing: each record is applied in a span continuing the trace it came with (from ingestion
 * through dedup-service), from its arrival until its batch's transaction committed; it names the
 * profile's tenant and ends in error when the event went to the dead-letter topic.
 */
@ApplicationScoped
public class EventConsumer {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);

    private final EventApplier applier;
    private final DeadLetterProducer deadLetters;
    private final ProfileConfig config;
    private final Counter conflicts;
    private final OpenTelemetry telemetry;
    private final Tracer tracer;

    public EventConsumer(
            EventApplier applier,
            DeadLetterProducer deadLetters,
            ProfileConfig config,
            MeterRegistry registry,
            OpenTelemetry telemetry) {
        this.telemetry = telemetry;
        this.tracer = telemetry.getTracer("io.strata.profile");
        this.applier = applier;
        this.deadLetters = deadLetters;
        this.config = config;
        this.conflicts = registry.counter("strata_profile_batch_conflicts_total");
    }

    @Incoming("events")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        List<Parsed> parsed = new ArrayList<>(records.count());
        List<Uni<Void>> rejected = new ArrayList<>();
        List<Span> spans = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            Span span = span(record);
            spans.add(span);
            try {
                IncomingEvent event = EventMapper.toIncoming(EventMapper.parse(record.value()), record.value());
                span.setAttribute("strata.tenant", event.tenant());
                parsed.add(new Parsed(record, event, span));
            } catch (Exception e) {
                LOG.warnf(
                        "record %s-%d@%d cannot be applied: %s",
                        record.topic(), record.partition(), record.offset(), LogSafe.text(e.getMessage()));
                span.setStatus(StatusCode.ERROR, "dead-lettered: not an event");
                rejected.add(deadLetter(record, e));
            }
        }
        List<IncomingEvent> events = parsed.stream().map(Parsed::event).toList();
        Uni<Void> deadLettered = rejected.isEmpty()
                ? Uni.createFrom().voidItem()
                : Uni.join().all(rejected).andFailFast().replaceWithVoid();
        return deadLettered
                .chain(() -> retried(() -> applier.apply(events))
                        // an event the database refuses whatever the attempt must not hold up the others
                        .onFailure(DataErrors::isPermanent)
                        .recoverWithUni(() -> oneByOne(parsed)))
                .invoke(applied -> LOG.debugf("applied %d of %d events", (Object) applied, events.size()))
                .onTermination()
                .invoke((applied, failure, cancelled) -> {
                    for (Span span : spans) {
                        if (failure != null) {
                            span.recordException(failure);
                            span.setStatus(StatusCode.ERROR, "the batch was not applied");
                        }
                        span.end();
                    }
                })
                .replaceWithVoid();
    }

    /** The record's span, a child of the context its producer sent (a root without one). */
    private Span span(ConsumerRecord<String, byte[]> record) {
        return tracer.spanBuilder(record.topic() + " process")
                .setParent(TraceHeaders.extract(telemetry, record.headers()))
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", record.topic())
                .setAttribute("messaging.destination.partition.id", String.valueOf(record.partition()))
                .setAttribute("messaging.kafka.offset", record.offset())
                .startSpan();
    }

    /** Each event in its own transaction; those the database refuses go to the dead-letter topic. */
    private Uni<Integer> oneByOne(List<Parsed> parsed) {
        return Multi.createFrom()
                .iterable(parsed)
                .onItem()
                .transformToUniAndConcatenate(p -> retried(() -> applier.apply(List.of(p.event())))
                        .onFailure(DataErrors::isPermanent)
                        .recoverWithUni(e -> {
                            LOG.warnf(
                                    "event %s of tenant %s cannot be stored: %s",
                                    LogSafe.text(p.event().messageId()),
                                    LogSafe.text(p.event().tenant()),
                                    LogSafe.text(e.getMessage()));
                            p.span().setStatus(StatusCode.ERROR, "dead-lettered: refused by the database");
                            return deadLetter(p.record(), e).replaceWith(0);
                        }))
                .collect()
                .with(Collectors.summingInt(Integer::intValue));
    }

    /**
     * The application, again at once when another writer overtook it, again with back-off when
     * the database failed; a failure the data causes passes through at once.
     */
    private Uni<Integer> retried(Supplier<Uni<Integer>> apply) {
        return Uni.createFrom()
                .deferred(apply::get)
                .onFailure(DataErrors::isConflict)
                .invoke(e -> conflicts.increment())
                .onFailure(DataErrors::isConflict)
                .retry()
                .withBackOff(config.conflictBackoff(), config.conflictBackoff().multipliedBy(8))
                .withJitter(0.5)
                .atMost(config.conflictAttempts())
                .onFailure(e -> !DataErrors.isPermanent(e))
                .invoke(e -> LOG.errorf(e, "applying a batch failed; retrying"))
                .onFailure(e -> !DataErrors.isPermanent(e))
                .retry()
                .withBackOff(config.applyBackoff(), config.applyMaxBackoff())
                .atMost(config.applyAttempts() - 1L);
    }

    private Uni<Void> deadLetter(ConsumerRecord<String, byte[]> record, Throwable reason) {
        return Uni.createFrom().completionStage(() -> deadLetters.send(record, String.valueOf(reason.getMessage())));
    }

    private record Parsed(ConsumerRecord<String, byte[]> record, IncomingEvent event, Span span) {}
}
