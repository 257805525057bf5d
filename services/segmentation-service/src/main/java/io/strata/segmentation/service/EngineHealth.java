package io.strata.segmentation.service;

import io.strata.segmentation.messaging.FeedLoop;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the engine's loop runs and every partition it owns could be loaded. */
@Readiness
@ApplicationScoped
public class EngineHealth implements HealthCheck {

    /** What the check reads of the engine. */
    public interface Status {
        boolean healthy();

        String problem();

        double livePartitions();

        long lag();
    }

    private final Status status;

    @Inject
    public EngineHealth(FeedLoop loop, Engine engine) {
        this(new Status() {
            @Override
            public boolean healthy() {
                return loop.healthy();
            }

            @Override
            public String problem() {
                return loop.problem();
            }

            @Override
            public double livePartitions() {
                return engine.livePartitions();
            }

            @Override
            public long lag() {
                return engine.lag();
            }
        });
    }

    EngineHealth(Status status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("segmentation engine")
                .status(status.healthy())
                .withData("problem", status.problem())
                .withData("partitions_live", (long) status.livePartitions())
                .withData("feed_lag_records", status.lag())
                .build();
    }
}
