package io.strata.ingestion.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "strata.ingestion")
public interface IngestionConfig {

    /** A source created (or re-keyed) at start, so a fresh installation can receive events at once. */
    Bootstrap bootstrap();

    /** Seconds a client is told to wait (Retry-After) when Kafka cannot take events. */
    @WithDefault("5")
    int unavailableRetryAfterSeconds();

    interface Bootstrap {
        @WithDefault("demo")
        String tenant();

        @WithDefault("default")
        String sourceName();

        /** When absent, no source is bootstrapped. */
        Optional<String> writeKey();
    }
}
