package io.strata.segmentation.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class EngineHealthTest {

    private static EngineHealth health(boolean healthy, String problem) {
        return new EngineHealth(new EngineHealth.Status() {
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
        });
    }

    @Test
    void upWhileEveryPartitionIsServed() {
        HealthCheckResponse up = health(true, "").call();
        assertEquals(HealthCheckResponse.Status.UP, up.getStatus());
        assertEquals(4L, up.getData().orElseThrow().get("partitions_live"));
    }

    @Test
    void downWithTheProblemWhenAPartitionCannotLoad() {
        HealthCheckResponse down =
                health(false, "partitions [2] cannot load: connection refused").call();
        assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
        assertEquals(
                "partitions [2] cannot load: connection refused",
                down.getData().orElseThrow().get("problem"));
    }
}
