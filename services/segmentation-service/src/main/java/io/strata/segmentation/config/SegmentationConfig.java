package io.strata.segmentation.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

@ConfigMapping(prefix = "strata.segmentation")
public interface SegmentationConfig {

    /** The clients that may call for a user (the gateway). */
    @WithDefault("strata-gateway")
    Set<String> userCallers();

    /** Services that may ask, for themselves, whether a profile is in an audience and which it is in. */
    @WithDefault("strata-campaign-service,strata-insight-service")
    Set<String> serviceReaders();

    /** Feed records that can never be applied go there, with the reason. */
    @WithDefault("strata.events.dlq.v1")
    String deadLetterTopic();

    /**
     * The zone of calendar days: relative dates of day-valued fields, anniversaries and the rolling
     * windows count days of this zone (profile-service's {@code strata.profile.time-zone}).
     */
    @WithDefault("UTC")
    ZoneId timeZone();

    /** How many days of events the service keeps per profile (event conditions look no further back). */
    @WithDefault("400")
    int eventRetentionDays();

    /** How often rules that time alone can change (relative dates, event windows) are evaluated anew. */
    @WithDefault("PT15M")
    Duration reevaluateEvery();

    /** How often the active audiences' sizes are recorded for their size history per day. */
    @WithDefault("PT1H")
    Duration sizeHistoryEvery();

    /**
     * How often, at most, a partition's tables are written as a snapshot (when the feed changed
     * them since): a restart or a move to another replica reads the snapshot, then the feed from
     * its offsets. Writing one holds the partition's feed for about a second per million profiles.
     */
    @WithDefault("PT10M")
    Duration snapshotEvery();

    /**
     * How long one piece of the engine's work (an audience's evaluation over a partition, a batch of
     * feed records, a snapshot) may run before the engine counts as stuck: its liveness fails, so
     * the replica is restarted and the work tried again (it was stored only whole). An evaluation
     * over 10 M profiles takes well under a second.
     */
    @WithDefault("PT15M")
    Duration stuckAfter();

    /** How often a replica looks for audiences created or edited through another replica. */
    @WithDefault("PT1S")
    Duration definitionsPoll();

    /** How long a call waits for the engine to apply a new version before answering. */
    @WithDefault("PT30S")
    Duration applyTimeout();

    Feed feed();

    Resend resend();

    /**
     * Asking profile-service for every profile again when a partition's stored state was forgotten
     * (its feed made anew): {@code ResendProfiles} on the gRPC client {@code profile}
     * ({@code PROFILE_SERVICE_HOST}, {@code PROFILE_SERVICE_PORT}).
     */
    interface Resend {
        @WithDefault("true")
        boolean enabled();

        /** A tenant is asked at most once in this time. */
        @WithDefault("PT10M")
        Duration minInterval();

        /** Attempts after the first, with back-off from 1 s to 30 s. */
        @WithDefault("8")
        int attempts();
    }

    Replicas replicas();

    Models models();

    /** Model runs (docs/models.md). */
    interface Models {

        /**
         * How often each tenant's models run on their own (every tenant the engine holds); a replica
         * starts a tenant's scheduled run when none started within this time. Zero: never.
         */
        @WithDefault("PT24H")
        Duration runEvery();

        /** How often a replica looks for tenants due a scheduled run. */
        @WithDefault("PT5M")
        Duration scheduleCheck();

        /** A step of a run on another replica (its partitions summed up, or applied and tagged) takes at most this. */
        @WithDefault("PT10M")
        Duration stepTimeout();

        /** A run still running after this is taken as abandoned (its replica stopped) and failed. */
        @WithDefault("PT1H")
        Duration abandonedAfter();

        /**
         * Tag values per SetTags call to profile-service (at most 10,000; a call's message must also
         * stay under the server's inbound limit, 256 KiB on the HTTP port: some 3,000 rows).
         */
        @WithDefault("1000")
        int tagBatch();
    }

    /** The replicas answering one another's queries (scatter-gather over the feed's partitions). */
    interface Replicas {

        /**
         * Where the replicas serve gRPC, as {@code host:port}; a host that names several addresses
         * (a headless Service) stands for each of them, this replica included (it knows itself by its
         * id). None: this replica answers alone, from the partitions it owns.
         */
        Optional<List<String>> peers();

        /** How often the replicas' partitions are asked for (and at once when a partition is missing). */
        @WithDefault("PT2S")
        Duration refreshEvery();

        /** How long a replica waits for another's answer. */
        @WithDefault("PT10S")
        Duration callTimeout();

        /** The clients that may call the replicas' own RPCs: segmentation-service itself. */
        @WithDefault("strata-segmentation-service")
        Set<String> clients();
    }

    interface Feed {

        @WithDefault("strata.profile-changes.v1")
        String profileChangesTopic();

        @WithDefault("strata.profile-events.v1")
        String profileEventsTopic();

        @WithDefault("strata.segment-membership.v1")
        String membershipTopic();

        /** The consumer group of the replicas (its partitions are the engine's shards). */
        @WithDefault("segmentation-service")
        String group();

        /**
         * How long the group waits for a replica that stopped answering (killed, partitioned away)
         * before its partitions move to the others.
         */
        @WithDefault("PT45S")
        Duration sessionTimeout();

        /** Whether this replica relays the membership outbox to Kafka (one replica at a time does). */
        @WithDefault("true")
        boolean relayEnabled();

        @WithDefault("20")
        int relayBatch();

        @WithDefault("PT0.2S")
        Duration relayIdle();

        @WithDefault("PT30S")
        Duration relayTimeout();
    }
}
