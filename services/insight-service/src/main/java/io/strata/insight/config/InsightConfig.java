package io.strata.insight.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/** insight-service's settings ({@code strata.insight.*}). */
@ConfigMapping(prefix = "strata.insight")
public interface InsightConfig {

    Store store();

    /** Records of the feed that are no event or change go here, once, with the reason. */
    @WithDefault("strata.events.dlq.v1")
    String deadLetterTopic();

    Feed feed();

    Tgi tgi();

    Replicas replicas();

    /** The replicas answering one another's queries (scatter-gather over the feed's partitions). */
    interface Replicas {

        /**
         * Where the replicas serve gRPC, as {@code host:port}; a host that names several addresses
         * (a headless Service) stands for each of them, this replica included (it knows itself by its
         * id). None: this replica answers alone, from every partition its store holds.
         */
        java.util.Optional<java.util.List<String>> peers();

        /** How often the replicas' partitions are asked for (and at once when a partition is missing). */
        @WithDefault("PT2S")
        Duration refreshEvery();

        /** How long a replica waits for another's partial answer (an analysis over its partitions). */
        @WithDefault("PT5M")
        Duration callTimeout();

        /** The clients that may call the replicas' own RPCs: insight-service itself. */
        @WithDefault("strata-insight-service")
        java.util.Set<String> clients();
    }

    /** The clients that may call for a user (the gateway). */
    @WithDefault("strata-gateway")
    java.util.Set<String> userCallers();

    interface Tgi {
        /** A tenant's feature bitmaps are rebuilt at most this often, when the store has changed. */
        @WithDefault("30s")
        Duration refresh();
    }

    interface Store {
        /** Where the Parquet files and their metadata live (a volume of its own in a cluster). */
        Path dir();

        /**
         * The most memory the analytical engine takes (e.g. {@code 2GB}), beside the heap; unset:
         * the engine's default, 80 % of the machine's (or container's) memory.
         */
        java.util.Optional<String> memoryLimit();
    }

    interface Feed {
        /** Whether the service reads the feed (off for a replica that only answers queries). */
        @WithDefault("true")
        boolean enabled();

        String profileEventsTopic();

        String profileChangesTopic();

        String membershipTopic();

        String group();

        /**
         * How long the group waits for a replica that stopped answering before its partitions go
         * to the others (Kafka's session timeout).
         */
        @WithDefault("45s")
        Duration sessionTimeout();

        /** Staged events are written to files at least this often... */
        @WithDefault("5s")
        Duration flushEvery();

        /** ...and whenever this many are staged. */
        @WithDefault("100000")
        int flushEvents();

        /**
         * A record whose bytes one of the last this many records of its partition had (the profile
         * feed's at-least-once delivery after a crash) is not stored again; 0: every record is.
         */
        @WithDefault("200000")
        int repeatWindow();

        /** How often the files of each tenant and partition are merged... */
        @WithDefault("10m")
        Duration compactEvery();

        /** ...where there are at least this many. */
        @WithDefault("16")
        int compactFiles();
    }
}
