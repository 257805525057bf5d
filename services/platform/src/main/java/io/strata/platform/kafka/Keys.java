package io.strata.platform.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Record keys of the product's topics. The key decides the partition, so each format keeps what
 * must stay in order together.
 */
public final class Keys {

    private Keys() {}

    /**
     * {@code strata.events.incoming.v1}: {@code <sourceId>/<messageId>}, what dedup-service keeps
     * its window by (a repeat lands on the partition that saw the first copy).
     */
    public static String incoming(String sourceId, String messageId) {
        return sourceId + "/" + messageId;
    }

    /**
     * {@code strata.events.v1}: {@code <tenant>/<identity>} (userId, else anonymousId), so one
     * person's events stay in order on one partition.
     */
    public static String event(String tenant, String identity) {
        return tenant + "/" + identity;
    }

    /** Every topic written after identity resolution: {@code <tenant>/<profileId>}. */
    public static String profile(String tenant, String profileId) {
        return tenant + "/" + profileId;
    }

    /** The part of a key before its first slash (the tenant, or the source of an incoming key). */
    public static String head(String key) {
        int slash = key == null ? -1 : key.indexOf('/');
        return slash < 0 ? key : key.substring(0, slash);
    }

    /**
     * The partition of {@code partitions} that Kafka's producer gives a record with this key (its
     * built-in partitioner: murmur2 of the key's UTF-8 bytes), so a reader of a keyed topic knows which
     * partition holds a key's records.
     */
    public static int partition(String key, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("a topic has at least one partition, not " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
