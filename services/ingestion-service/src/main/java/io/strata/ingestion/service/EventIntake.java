package io.strata.ingestion.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.IntakeResult;
import io.strata.ingestion.domain.Rejection;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.mapping.Candidate;
import io.strata.ingestion.messaging.EventProducer;
import io.strata.platform.logging.LogSafe;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Takes a request's validated events from any entry point (HTTP, gRPC, imports): rate limit (every
 * event costs, refused ones too), bounded in-flight work ({@link InFlight}), publication, and the
 * answer only once Kafka has acknowledged every event it reports as accepted.
 *
 * <p>A messageId given twice in one request is published once and reported as a duplicate here.
 * Across requests, the dedup window is kept by dedup-service between the incoming topic and
 * {@code strata.events.v1}: the hot path stays JSON plus one Kafka write (docs/architecture.md).
 */
@ApplicationScoped
public class EventIntake {

    private static final Logger LOG = Logger.getLogger(EventIntake.class);

    private final EventProducer producer;
    private final SourceRateLimiter rateLimiter;
    private final InFlight inFlight;
    private final IngestionConfig config;
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter rejected;

    public EventIntake(
            EventProducer producer,
            SourceRateLimiter rateLimiter,
            InFlight inFlight,
            IngestionConfig config,
            MeterRegistry registry) {
        this.producer = producer;
        this.rateLimiter = rateLimiter;
        this.inFlight = inFlight;
        this.config = config;
        this.accepted = registry.counter("strata_ingestion_events_total", "outcome", "accepted");
        this.duplicates = registry.counter("strata_ingestion_events_total", "outcome", "duplicate");
        this.rejected = registry.counter("strata_ingestion_events_total", "outcome", "rejected");
    }

    /** {@link #accept(Source, List, String)} for a request whose events are its {@code batch}. */
    public Uni<IntakeResult> accept(Source source, List<Candidate> candidates) {
        return accept(source, candidates, "batch");
    }

    /**
     * Every event of the request costs a token, valid or not; the valid ones are published and the
     * answer comes once Kafka acknowledged them.
     *
     * @param eventsField the request's list of events, named when it holds more than the source may
     *     ever send at once
     */
    public Uni<IntakeResult> accept(Source source, List<Candidate> candidates, String eventsField) {
        List<Rejection> rejections = new ArrayList<>();
        List<Candidate> valid = new ArrayList<>(candidates.size());
        long bytes = 0;
        for (Candidate candidate : candidates) {
            if (candidate.isValid()) {
                valid.add(candidate);
                bytes += candidate.event().getSerializedSize();
            } else {
                rejections.add(candidate.rejection());
            }
        }
        InFlight.Hold hold;
        try {
            // refused events cost tokens too: a flood of bad events is limited like any other
            rateLimiter.acquire(source, candidates.size(), eventsField);
            hold = valid.isEmpty() ? null : inFlight.reserve(source.tenant(), valid.size(), bytes);
        } catch (IngestionException e) {
            return Uni.createFrom().failure(e);
        }
        rejected.increment(rejections.size());
        if (hold == null) {
            return Uni.createFrom().item(new IntakeResult(0, 0, rejections));
        }
        return publishOnce(source, valid)
                .map(published -> new IntakeResult(published, valid.size() - published, rejections))
                .eventually(() -> inFlight.release(hold));
    }

    /**
     * A request refused before its events were built (it is too large, or its one event is
     * invalid) costs its events' tokens all the same, so a flood of bad requests is limited like
     * any other; then it fails with {@code refusal} (or with the rate limit, when that comes first).
     */
    public IngestionException charge(Source source, int events, IngestionException refusal) {
        rateLimiter.acquire(source, events, "batch");
        return refusal;
    }

    /** Publishes the request's events, a messageId given twice once; emits how many were published. */
    private Uni<Integer> publishOnce(Source source, List<Candidate> valid) {
        List<Candidate> fresh = new ArrayList<>(valid.size());
        Set<String> taken = new HashSet<>();
        for (Candidate c : valid) {
            if (!c.clientMessageId() || taken.add(c.event().getMessageId())) {
                fresh.add(c);
            }
        }
        duplicates.increment(valid.size() - fresh.size());
        return publish(source, fresh);
    }

    private Uni<Integer> publish(Source source, List<Candidate> fresh) {
        if (fresh.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return producer.publish(fresh.stream().map(Candidate::event).toList()).chain(acks -> {
            int published = 0;
            for (boolean ack : acks) {
                if (ack) {
                    published++;
                }
            }
            accepted.increment(published);
            int failed = fresh.size() - published;
            if (failed > 0) {
                // the client's retry of the whole request republishes what was acknowledged;
                // dedup-service drops those copies before strata.events.v1
                LOG.warnf(
                        "Kafka did not acknowledge %d of %d events of source %s",
                        failed, fresh.size(), LogSafe.text(source.id()));
                return Uni.createFrom()
                        .failure(IngestionException.unavailable(
                                "events cannot be stored right now; retry later",
                                config.unavailableRetryAfterSeconds()));
            }
            return Uni.createFrom().item(published);
        });
    }
}
