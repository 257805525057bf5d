package io.strata.profile.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.IdentityResolver;
import io.strata.profile.domain.IncomingEvent;
import io.strata.profile.domain.Resolution;
import io.strata.profile.repository.ProfileGraphRepository;

/**
 * Applies accepted events to profiles: identity resolution, traits, behaviour counts. A batch is
 * one transaction, and each event's id is stored with its effect, so a batch redelivered after a
 * crash is applied exactly once.
 */
@ApplicationScoped
public class EventApplier {

    private static final Logger LOG = Logger.getLogger(EventApplier.class);

    private final ProfileGraphRepository graph;
    private final Clock clock;
    private final Counter applied;
    private final Counter duplicates;
    private final Counter unattributed;

    public EventApplier(ProfileGraphRepository graph, MeterRegistry registry) {
        this.graph = graph;
        this.clock = Clock.systemUTC();
        this.applied = registry.counter("strata_profile_events_total", "outcome", "applied");
        this.duplicates = registry.counter("strata_profile_events_total", "outcome", "duplicate");
        this.unattributed = registry.counter("strata_profile_events_total", "outcome", "no_identity");
    }

    /** Applies the events in order, in one transaction; emits how many were new. */
    @WithTransaction
    public Uni<Integer> apply(List<IncomingEvent> events) {
        return Multi.createFrom().iterable(events)
                .onItem().transformToUniAndConcatenate(this::applyOne)
                .collect().with(java.util.stream.Collectors.summingInt(applied -> applied ? 1 : 0));
    }

    private Uni<Boolean> applyOne(IncomingEvent event) {
        Instant now = clock.instant();
        if (event.identities().isEmpty()) {
            LOG.warnf("event %s of tenant %s carries no usable identifier; not attributed to a profile",
                    event.messageId(), event.tenant());
            unattributed.increment();
            return Uni.createFrom().item(false);
        }
        return graph.markProcessed(event, now).chain(first -> {
            if (!first) {
                duplicates.increment();
                return Uni.createFrom().item(false);
            }
            return graph.owners(event.tenant(), event.identities())
                    .map(owned -> IdentityResolver.resolve(event.identities(), owned))
                    .chain(resolution -> land(event, resolution, now))
                    .invoke(() -> applied.increment())
                    .replaceWith(true);
        });
    }

    private Uni<Void> land(IncomingEvent event, Resolution resolution, Instant now) {
        Uni<UUID> target = resolution.createsProfile()
                ? graph.create(event.tenant(), now)
                : Uni.createFrom().item(resolution.target());
        return target.chain(profile -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (UUID merged : resolution.merge()) {
                chain = chain.chain(() -> graph.merge(event.tenant(), merged, profile, now));
            }
            return chain
                    .chain(() -> graph.attach(event.tenant(), profile, resolution.attach(), now))
                    .chain(() -> graph.touch(profile, event.traitsJson(), event.timestamp(), now))
                    .chain(() -> graph.count(event.tenant(), profile, event.countName(), event.timestamp()));
        });
    }

    /** Forgets dedup keys older than the retention; redeliveries only happen within minutes. */
    @WithTransaction
    public Uni<Integer> purgeProcessed(Instant before) {
        return graph.purgeProcessed(before);
    }
}
