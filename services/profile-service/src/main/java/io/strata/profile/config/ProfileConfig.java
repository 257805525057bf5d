package io.strata.profile.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Set;

@ConfigMapping(prefix = "strata.profile")
public interface ProfileConfig {

    /** How long the ids of applied events are kept to recognise a redelivery. */
    @WithDefault("P7D")
    Duration processedEventRetention();

    /** Attempts to apply a batch of events before the consumer gives up and reports itself unhealthy. */
    @WithDefault("6")
    int applyAttempts();

    /** First back-off between attempts; it doubles up to {@code apply-max-backoff}. */
    @WithDefault("PT0.5S")
    Duration applyBackoff();

    @WithDefault("PT10S")
    Duration applyMaxBackoff();

    /**
     * Immediate re-applications of a batch another writer overtook (it read identifiers or profiles
     * that were written meanwhile), each against what was committed since.
     */
    @WithDefault("20")
    int conflictAttempts();

    /** The short, jittered pause before such a re-application. */
    @WithDefault("PT0.02S")
    Duration conflictBackoff();

    /** Records that can never be applied go there, with the reason. */
    @WithDefault("strata.events.dlq.v1")
    String deadLetterTopic();

    /**
     * The time zone of days: purchase days and the rolling windows (7/30/90/365 days ending
     * today) count days of this zone.
     */
    @WithDefault("UTC")
    ZoneId timeZone();

    /** The change feed: its topics and the relay that sends the outbox to them. */
    Feed feed();

    interface Feed {

        /** Every applied event, with the profile it resolved to. */
        @WithDefault("strata.profile-events.v1")
        String profileEventsTopic();

        /** Changes of profiles: traits, aggregates, identifiers; merges. */
        @WithDefault("strata.profile-changes.v1")
        String profileChangesTopic();

        /** Whether this replica relays the outbox to Kafka (one replica at a time does). */
        @WithDefault("true")
        boolean relayEnabled();

        /** Outbox rows (each the records of one committed write, up to a batch's) sent per round, in one transaction. */
        @WithDefault("20")
        int relayBatch();

        /** The pause of an idle relay between looks at the outbox (committed batches wake it at once). */
        @WithDefault("PT0.2S")
        Duration relayIdle();

        /** How long a round may wait for Kafka's acks before it gives up and starts again. */
        @WithDefault("PT30S")
        Duration relayTimeout();

        /** Service clients that may ask for every profile to be sent again (the feed's consumers). */
        @WithDefault("strata-segmentation-service,strata-insight-service,strata-campaign-service")
        Set<String> resendClients();
    }

    /**
     * Service clients that may record consent statements for themselves (campaign-service writes the
     * opt-outs people reply to its messages, source "reply:&lt;channel&gt;").
     */
    @WithDefault("strata-campaign-service")
    Set<String> consentWriters();

    /** Tags: the catalog cache, bulk limits, the clients that write model tags. */
    Tags tags();

    interface Tags {

        /** How long a tenant's catalog is cached (a change made on another replica is seen after it). */
        @WithDefault("PT5S")
        Duration catalogTtl();

        /** Rows of one SetTags or SetConsents call. */
        @WithDefault("10000")
        int maxRows();

        /** Profiles recomputed per transaction of a recompute job. */
        @WithDefault("500")
        int recomputePage();

        /** The pause between looks for recompute jobs to run. */
        @WithDefault("PT1S")
        Duration jobPoll();

        /** Service clients that may write model tags (as "model:<client>") and look up tags for themselves. */
        @WithDefault("strata-segmentation-service,strata-campaign-service")
        Set<String> serviceWriters();
    }

    /** Identity rules: how long a tenant's rules are cached. */
    Identity identity();

    interface Identity {

        /** How long a tenant's identity rules are cached (a change made on another replica is seen after it). */
        @WithDefault("PT5S")
        Duration rulesTtl();

        /**
         * Profiles whose stored contents a replica keeps after writing them, so that the next batch
         * touching them reads neither their identifiers' owners nor their contents (0: none).
         */
        @WithDefault("20000")
        int cachedProfiles();
    }

    /** The clients that may call the gRPC API on behalf of a signed-in user (the gateway). */
    @WithDefault("strata-gateway")
    Set<String> userCallers();
}
