package io.strata.ingestion.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while Kafka answers: without it no event can be acknowledged. */
@Readiness
@ApplicationScoped
public class KafkaReadinessCheck implements HealthCheck {

    private final EventProducer producer;

    public KafkaReadinessCheck(EventProducer producer) {
        this.producer = producer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kafka").status(producer.reachable()).build();
    }
}
