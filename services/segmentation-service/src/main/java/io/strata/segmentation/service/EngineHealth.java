package io.strata.segmentation.service;

import io.strata.segmentation.config.SegmentationConfig;
import io.strata.segmentation.messaging.FeedLoop;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the engine's loop runs, is not stuck, and every partition it owns could be loaded.
 * {@link Live} is its liveness: down when the loop's thread died or is stuck on one piece of work
 * (an evaluation that hangs), so the replica is restarted and the work tried again.
 */
@Readiness
@ApplicationScoped
public class EngineHealth implements HealthCheck {

    /** What the checks read of the engine. */
    public interface Status {
        boolean healthy();

        String problem();

        double livePartitions();

        long lag();

        /** Whether the loop's thread is there. */
        boolean alive();

        /** The work the engine's thread has been stuck on, if any. */
        Optional<String> stuck();
    }

    private final Status status;

    @Inject
    public EngineHealth(FeedLoop loop, Engine engine, SegmentationConfig config) {
        this(status(loop, engine, config));
    }

    EngineHealth(Status status) {
        this.status = status;
    }

    static Status status(FeedLoop loop, Engine engine, SegmentationConfig config) {
        return new Status() {
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

            @Override
            public boolean alive() {
                return loop.alive();
            }

            @Override
            public Optional<String> stuck() {
                return engine.stuck(config.stuckAfter());
            }
        };
    }

    @Override
    public HealthCheckResponse call() {
        Optional<String> stuck = status.stuck();
        return HealthCheckResponse.named("segmentation engine")
                .status(status.healthy() && stuck.isEmpty())
                .withData("problem", stuck.map(work -> "stuck: " + work).orElse(status.problem()))
                .withData("partitions_live", (long) status.livePartitions())
                .withData("feed_lag_records", status.lag())
                .build();
    }

    /** The engine's liveness. */
    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {

        private final Status status;

        @Inject
        public Live(FeedLoop loop, Engine engine, SegmentationConfig config) {
            this(status(loop, engine, config));
        }

        Live(Status status) {
            this.status = status;
        }

        @Override
        public HealthCheckResponse call() {
            Optional<String> stuck = status.stuck();
            String problem = !status.alive()
                    ? "the engine's thread stopped: " + status.problem()
                    : stuck.map(work -> "stuck: " + work).orElse("");
            return HealthCheckResponse.named("segmentation engine thread")
                    .status(problem.isEmpty())
                    .withData("problem", problem)
                    .build();
        }
    }
}
