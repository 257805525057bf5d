package io.strata.dedup.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the pipeline runs: its partitions are assigned and their windows restored from the
 * changelog. While it starts, restores or rebalances it is not ready (the extension's liveness
 * check stays UP), so a rollout waits for each replica to process before replacing the next.
 */
@Readiness
@ApplicationScoped
public class StreamsReadinessCheck implements HealthCheck {

    private final KafkaStreams streams;

    public StreamsReadinessCheck(KafkaStreams streams) {
        this.streams = streams;
    }

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.state();
        return HealthCheckResponse.named("Dedup pipeline running")
                .status(state == KafkaStreams.State.RUNNING)
                .withData("state", state.name())
                .build();
    }
}
