package io.strata.ingestion.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.Candidate;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.IntakeResult;
import io.strata.ingestion.domain.Rejection;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.messaging.EventProducer;
import io.strata.ingestion.repository.MessageIdRepository;

/**
 * Takes a request's validated events from any entry point (HTTP, gRPC, imports): rate limit,
 * bounded in-flight work, dedup window, publication, and the answer only once Kafka has
 * acknowledged every event it reports as accepted.
 */
@ApplicationScoped
public class EventIntake {

    private static final Logger LOG = Logger.getLogger(EventIntake.class);

    private final EventProducer producer;
    private final MessageIdRepository messageIds;
    private final SourceRateLimiter rateLimiter;
    private final IngestionConfig config;
    private final Clock clock = Clock.systemUTC();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter rejected;

    public EventIntake(EventProducer producer, MessageIdRepository messageIds, SourceRateLimiter rateLimiter,
            IngestionConfig config, MeterRegistry registry) {
        this.producer = producer;
        this.messageIds = messageIds;
        this.rateLimiter = rateLimiter;
        this.config = config;
        this.accepted = registry.counter("strata_ingestion_events_total", "outcome", "accepted");
        this.duplicates = registry.counter("strata_ingestion_events_total", "outcome", "duplicate");
        this.rejected = registry.counter("strata_ingestion_events_total", "outcome", "rejected");
        registry.gauge("strata_ingestion_events_in_flight", inFlight);
    }

    public Uni<IntakeResult> accept(Source source, List<Candidate> candidates) {
        List<Rejection> rejections = new ArrayList<>();
        List<Candidate> valid = new ArrayList<>(candidates.size());
        for (Candidate candidate : candidates) {
            if (candidate.isValid()) {
                valid.add(candidate);
            } else {
                rejections.add(candidate.rejection());
            }
        }
        rejected.increment(rejections.size());
        if (valid.isEmpty()) {
            return Uni.createFrom().item(new IntakeResult(0, 0, rejections));
        }
        try {
            rateLimiter.acquire(source, valid.size());
        } catch (IngestionException e) {
            return Uni.createFrom().failure(e);
        }
        if (inFlight.addAndGet(valid.size()) > config.limits().maxInFlightEvents()) {
            inFlight.addAndGet(-valid.size());
            return Uni.createFrom().failure(IngestionException.unavailable("too many events in flight; retry later", 1));
        }
        Instant now = clock.instant();
        return dedupAndPublish(source, valid, now)
                .map(published -> new IntakeResult(published, valid.size() - published, rejections))
                .eventually(() -> inFlight.addAndGet(-valid.size()));
    }

    /** Publishes the events not seen before; emits how many were published. */
    private Uni<Integer> dedupAndPublish(Source source, List<Candidate> valid, Instant now) {
        Set<String> clientIds = new HashSet<>();
        for (Candidate c : valid) {
            if (c.clientMessageId()) {
                clientIds.add(c.event().getMessageId());
            }
        }
        return messageIds.seen(source.id(), clientIds, now.minus(config.dedup().window()))
                .chain(seen -> {
                    List<Candidate> fresh = new ArrayList<>(valid.size());
                    Set<String> taken = new HashSet<>(seen);
                    for (Candidate c : valid) {
                        // a messageId seen before, or twice in this request, is published once
                        if (!c.clientMessageId() || taken.add(c.event().getMessageId())) {
                            fresh.add(c);
                        }
                    }
                    duplicates.increment(valid.size() - fresh.size());
                    return publish(source, fresh, now);
                });
    }

    private Uni<Integer> publish(Source source, List<Candidate> fresh, Instant now) {
        if (fresh.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return producer.publish(fresh.stream().map(Candidate::event).toList()).chain(acks -> {
            List<String> remembered = new ArrayList<>();
            int published = 0;
            for (int i = 0; i < fresh.size(); i++) {
                if (acks[i]) {
                    published++;
                    if (fresh.get(i).clientMessageId()) {
                        remembered.add(fresh.get(i).event().getMessageId());
                    }
                }
            }
            accepted.increment(published);
            int failed = fresh.size() - published;
            // acknowledged events are remembered even when others failed: the client's retry
            // of the whole request then publishes only what is missing
            Uni<Void> remember = messageIds.remember(source.id(), remembered, now)
                    .onFailure().invoke(e -> LOG.warnf("dedup window not updated: %s", e.getMessage()))
                    .onFailure().recoverWithNull();
            if (failed > 0) {
                LOG.warnf("Kafka did not acknowledge %d of %d events of source %s", failed, fresh.size(), source.id());
                return remember.chain(() -> Uni.createFrom().failure(IngestionException.unavailable(
                        "events cannot be stored right now; retry later", config.unavailableRetryAfterSeconds())));
            }
            return remember.replaceWith(published);
        });
    }

    /** Forgets messageIds older than the dedup window. */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purgeDedupWindow() {
        return messageIds.forgetBefore(clock.instant().minus(config.dedup().window()))
                .invoke(rows -> LOG.debugf("forgot %d message ids", rows))
                .replaceWithVoid();
    }
}
