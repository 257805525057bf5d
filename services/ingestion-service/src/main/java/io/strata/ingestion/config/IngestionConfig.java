package io.strata.ingestion.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Map;
import java.util.Optional;

@ConfigMapping(prefix = "strata.ingestion")
public interface IngestionConfig {

    /** A source created (or re-keyed) at start, so a fresh installation can receive events at once. */
    Bootstrap bootstrap();

    Limits limits();

    RateLimit rateLimit();

    /** The topic accepted events go to; dedup-service forwards first sightings to strata.events.v1. */
    @WithDefault("strata.events.incoming.v1")
    String topic();

    /**
     * Kafka producer settings (linger.ms, batch.size, timeouts...); acks=all and idempotence
     * are always on.
     */
    Map<String, String> producer();

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

    /** The Segment tracking API's limits. */
    interface Limits {
        /** Largest event, as JSON. */
        @WithDefault("32768")
        int maxEventBytes();

        /** Largest request body, after gzip decompression. */
        @WithDefault("512000")
        int maxRequestBytes();

        @WithDefault("2500")
        int maxBatchEvents();

        /** Events accepted but not yet acknowledged by Kafka, over all requests; more get 503. */
        @WithDefault("50000")
        int maxInFlightEvents();
    }

    interface RateLimit {
        /** Events per second per source, for sources without a limit of their own. */
        @WithDefault("100000")
        int eventsPerSecond();

        /** A source may burst this many seconds' worth of events at once. */
        @WithDefault("2")
        int burstSeconds();
    }
}
