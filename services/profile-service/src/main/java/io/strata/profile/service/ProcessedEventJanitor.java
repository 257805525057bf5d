package io.strata.profile.service;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.strata.profile.config.ProfileConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Keeps the dedup table to its retention window. */
@ApplicationScoped
public class ProcessedEventJanitor {

    private static final Logger LOG = Logger.getLogger(ProcessedEventJanitor.class);

    private final EventApplier applier;
    private final ProfileConfig config;

    public ProcessedEventJanitor(EventApplier applier, ProfileConfig config) {
        this.applier = applier;
        this.config = config;
    }

    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> purge() {
        return applier.purgeProcessed(java.time.Instant.now().minus(config.processedEventRetention()))
                .invoke(rows -> LOG.infof(
                        "forgot %d processed event ids older than %s", rows, config.processedEventRetention()))
                .replaceWithVoid();
    }
}
