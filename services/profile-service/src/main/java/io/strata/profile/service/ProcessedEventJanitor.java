package io.strata.profile.service;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.strata.profile.config.ProfileConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Keeps the dedup table to its retention window, and the deltas of event totals folded. */
@ApplicationScoped
public class ProcessedEventJanitor {

    private static final Logger LOG = Logger.getLogger(ProcessedEventJanitor.class);

    private final EventApplier applier;
    private final io.strata.profile.repository.ProfileGraphRepository graph;
    private final ProfileConfig config;

    public ProcessedEventJanitor(
            EventApplier applier, io.strata.profile.repository.ProfileGraphRepository graph, ProfileConfig config) {
        this.applier = applier;
        this.graph = graph;
        this.config = config;
    }

    /** Each batch adds a row per event name it saw: folded into one per tenant and name. */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> compactTotals() {
        return graph.compactTotals()
                .invoke(rows -> LOG.debugf("folded the event totals into %d rows", rows))
                .replaceWithVoid();
    }

    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> purge() {
        return applier.purgeProcessed(java.time.Instant.now().minus(config.processedEventRetention()))
                .invoke(rows -> LOG.infof(
                        "forgot %d processed event ids older than %s", rows, config.processedEventRetention()))
                .replaceWithVoid();
    }
}
