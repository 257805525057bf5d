package io.strata.segmentation.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class EngineHealthTest {

    private static EngineHealth.Status status(boolean healthy, String problem, boolean alive, String stuck) {
        return new EngineHealth.Status() {
            @Override
            public boolean healthy() {
                return healthy;
            }

            @Override
            public String problem() {
                return problem;
            }

            @Override
            public double livePartitions() {
                return 4;
            }

            @Override
            public long lag() {
                return 12;
            }

            @Override
            public boolean alive() {
                return alive;
            }

            @Override
            public Optional<String> stuck() {
                return Optional.ofNullable(stuck);
            }
        };
    }

    private static EngineHealth health(boolean healthy, String problem) {
        return new EngineHealth(status(healthy, problem, true, null));
    }

    @Test
    void upWhileEveryPartitionIsServed() {
        HealthCheckResponse up = health(true, "").call();
        assertEquals(HealthCheckResponse.Status.UP, up.getStatus());
        assertEquals(4L, up.getData().orElseThrow().get("partitions_live"));
        assertEquals(
                HealthCheckResponse.Status.UP,
                new EngineHealth.Live(status(true, "", true, null)).call().getStatus());
    }

    @Test
    void downWithTheProblemWhenAPartitionCannotLoad() {
        HealthCheckResponse down =
                health(false, "partitions [2] cannot load: connection refused").call();
        assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
        assertEquals(
                "partitions [2] cannot load: connection refused",
                down.getData().orElseThrow().get("problem"));
        // not a reason to restart: the partition reloads by itself
        assertEquals(
                HealthCheckResponse.Status.UP,
                new EngineHealth.Live(status(false, "partitions [2] cannot load", true, null))
                        .call()
                        .getStatus());
    }

    @Test
    void aStuckEngineIsNeitherReadyNorAliveAndSaysOnWhat() {
        String work = "evaluating audience vip (version 3) of tenant demo on partition 2, for 1000 s";
        EngineHealth.Status stuck = status(true, "", true, work);

        HealthCheckResponse ready = new EngineHealth(stuck).call();
        HealthCheckResponse live = new EngineHealth.Live(stuck).call();

        assertEquals(HealthCheckResponse.Status.DOWN, ready.getStatus());
        assertEquals(HealthCheckResponse.Status.DOWN, live.getStatus());
        assertEquals("stuck: " + work, live.getData().orElseThrow().get("problem"));
    }

    @Test
    void aLoopWhoseThreadDiedIsNotAlive() {
        HealthCheckResponse live = new EngineHealth.Live(status(false, "the engine stopped: boom", false, null)).call();
        assertEquals(HealthCheckResponse.Status.DOWN, live.getStatus());
        assertEquals(
                "the engine's thread stopped: the engine stopped: boom",
                live.getData().orElseThrow().get("problem"));
    }
}
