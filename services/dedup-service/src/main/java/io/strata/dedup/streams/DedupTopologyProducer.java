package io.strata.dedup.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.strata.dedup.config.DedupConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;

/** The topology the Kafka Streams extension runs (application id, guarantees: application.properties). */
@ApplicationScoped
public class DedupTopologyProducer {

    @Produces
    Topology topology(DedupConfig config, MeterRegistry registry, OpenTelemetry telemetry) {
        return DedupTopology.build(DedupTopology.Settings.from(config), registry, telemetry);
    }
}
