package io.strata.ingestion.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

@ConfigMapping(prefix = "strata.ingestion")
public interface IngestionConfig {

    /** A source created at start on the local stack, so a fresh installation receives events at once. */
    Bootstrap bootstrap();

    Limits limits();

    RateLimit rateLimit();

    /** What each tenant may use of this replica. */
    Tenants tenants();

    Imports imports();

    Streams streams();

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

    /** The clients that may call the internal gRPC APIs on behalf of a signed-in user (the gateway). */
    @WithDefault("strata-gateway")
    Set<String> userCallers();

    interface Bootstrap {
        /**
         * Development only (./strata sets it): never on in a deployment. A bootstrap source that was
         * revoked stays revoked.
         */
        @WithDefault("false")
        boolean enabled();

        @WithDefault("demo")
        String tenant();

        @WithDefault("default")
        String sourceName();

        Optional<String> writeKey();
    }

    /** The Segment tracking API's limits, and the work a replica holds at once. */
    interface Limits {
        /** Largest event, as stored: after the batch's context and integrations are merged into it. */
        @WithDefault("32768")
        int maxEventBytes();

        /** Largest request body, after gzip decompression. */
        @WithDefault("512000")
        int maxRequestBytes();

        @WithDefault("2500")
        int maxBatchEvents();

        /**
         * Largest batch-level {@code context} and {@code integrations}, each: they are copied into
         * every event of the batch.
         */
        @WithDefault("8192")
        int maxBatchDefaultsBytes();

        /** Largest request once its events are built (the batch's fields copied into each): 413 beyond. */
        @WithDefault("4194304")
        int maxExpandedRequestBytes();

        /** Events accepted but not yet acknowledged by Kafka, over all requests; more get 503. */
        @WithDefault("50000")
        int maxInFlightEvents();

        /**
         * Bytes of those events; the producer's {@code buffer.memory} must hold them (with room for
         * the records' overhead), or a full buffer would stall every tenant's sends.
         */
        @WithDefault("33554432")
        long maxInFlightBytes();

        /** The share of both budgets one tenant may hold, so a tenant cannot turn the others away. */
        @WithDefault("0.5")
        double maxTenantShare();
    }

    interface RateLimit {
        /** Events per second per source, for sources without a limit of their own. */
        @WithDefault("100000")
        int eventsPerSecond();

        /** A source may burst this many seconds' worth of events at once. */
        @WithDefault("2")
        int burstSeconds();
    }

    /** Quotas per tenant, per replica; an operator's setting (tenant admins set their sources within it). */
    interface Tenants {
        /** Events per second of all a tenant's sources together; a source's own limit cannot exceed it. */
        @WithDefault("100000")
        int eventsPerSecond();

        /** History imports a tenant may run at once. */
        @WithDefault("2")
        int importSlots();

        /** Tenants with quotas of their own, by tenant. */
        Map<String, Quota> quotas();

        interface Quota {
            OptionalInt eventsPerSecond();

            OptionalInt importSlots();
        }
    }

    interface Imports {
        /** Imports at once on this replica, over all tenants. */
        @WithDefault("4")
        int maxConcurrent();

        /** The longest an import may run, from its first byte to its summary. */
        @WithDefault("PT6H")
        Duration maxDuration();

        /** How long the file's stream may stay silent before the import is abandoned. */
        @WithDefault("PT2M")
        Duration idleTimeout();

        /** How long a batch of the file may wait for the broker or the rate limit. */
        @WithDefault("PT2M")
        Duration patience();

        /** What a caller may send beyond what was read (its window is far smaller). */
        @WithDefault("16777216")
        long maxBuffered();

        /** The offset of a CSV's local times when the caller names none. */
        @WithDefault("+08:00")
        ZoneOffset defaultZone();
    }

    /** gRPC {@code SendStream}. */
    interface Streams {
        /** The most events one stream may carry. */
        @WithDefault("1000000")
        long maxEvents();

        /** The longest a stream may stay open. */
        @WithDefault("PT15M")
        Duration maxDuration();

        /** Rejections listed in the summary (all are counted). */
        @WithDefault("100")
        int listedRejections();
    }
}
