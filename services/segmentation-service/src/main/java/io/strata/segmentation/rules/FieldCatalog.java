package io.strata.segmentation.rules;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fields a tenant's definitions may name, with their types, and how long events are kept.
 *
 * <ul>
 *   <li>{@code traits.<name>}: the tenant's traits, typed as first seen on the feed;
 *   <li>{@code tags.<key>}: a tag's value (a string);
 *   <li>{@code profile.first_seen}, {@code profile.last_seen}: dates;
 *   <li>{@code orders.count}, {@code orders.revenue}, {@code orders.average_order_value},
 *       {@code orders.purchase_days}: numbers; {@code orders.first_order_at},
 *       {@code orders.last_order_at}: dates;
 *   <li>{@code events.<name>.count}, {@code .last_7_days}, {@code .last_30_days},
 *       {@code .last_90_days}, {@code .last_365_days}: numbers; {@code .first_at}, {@code .last_at}:
 *       dates (any event name: an event not performed yet counts 0 and has no dates);
 *   <li>{@code facets.<dimension>}: the values seen of a dimension (channel, platform, device,
 *       category, product, content_channel, content_topic, content_creator): strings.
 * </ul>
 */
public final class FieldCatalog {

    private static final Map<String, FieldType> BUILT_IN = Map.of(
            "profile.first_seen", FieldType.DATE,
            "profile.last_seen", FieldType.DATE,
            "orders.count", FieldType.NUMBER,
            "orders.revenue", FieldType.NUMBER,
            "orders.average_order_value", FieldType.NUMBER,
            "orders.purchase_days", FieldType.NUMBER,
            "orders.first_order_at", FieldType.DATE,
            "orders.last_order_at", FieldType.DATE);

    private static final Map<String, FieldType> EVENT_STATS = Map.of(
            "count", FieldType.NUMBER,
            "last_7_days", FieldType.NUMBER,
            "last_30_days", FieldType.NUMBER,
            "last_90_days", FieldType.NUMBER,
            "last_365_days", FieldType.NUMBER,
            "first_at", FieldType.DATE,
            "last_at", FieldType.DATE);

    /** The facet dimensions profile-service keeps. */
    public static final Set<String> FACETS = Set.of(
            "channel",
            "platform",
            "device",
            "category",
            "product",
            "content_channel",
            "content_topic",
            "content_creator");

    private final Map<String, FieldType> traits;
    private final int eventRetentionDays;

    /**
     * @param traits the tenant's traits and their types
     * @param eventRetentionDays how many days of events the service keeps per profile
     */
    public FieldCatalog(Map<String, FieldType> traits, int eventRetentionDays) {
        this.traits = Map.copyOf(traits);
        this.eventRetentionDays = eventRetentionDays;
    }

    public int eventRetentionDays() {
        return eventRetentionDays;
    }

    /**
     * Whether a profile without a value of the field counts 0 (a count or a sum: {@code orders.count},
     * {@code orders.revenue}, {@code orders.purchase_days}, {@code events.<name>.count} and the
     * rolling windows), rather than having none: "no orders" is {@code orders.count eq 0}.
     */
    public static boolean countsZeroWhenAbsent(String field) {
        if (field.equals("orders.count") || field.equals("orders.revenue") || field.equals("orders.purchase_days")) {
            return true;
        }
        if (field.startsWith("events.")) {
            String stat = field.substring(field.lastIndexOf('.') + 1);
            return stat.equals("count") || stat.startsWith("last_") && stat.endsWith("_days");
        }
        return false;
    }

    /** The field's type, or empty when the tenant has no such field. */
    public Optional<FieldType> type(String field) {
        if (field.startsWith("traits.")) {
            return Optional.ofNullable(traits.get(field.substring("traits.".length())));
        }
        if (field.startsWith("tags.") && field.length() > "tags.".length()) {
            return Optional.of(FieldType.STRING);
        }
        if (field.startsWith("facets.")) {
            return FACETS.contains(field.substring("facets.".length()))
                    ? Optional.of(FieldType.STRINGS)
                    : Optional.empty();
        }
        if (field.startsWith("events.")) {
            int stat = field.lastIndexOf('.');
            if (stat > "events.".length()) {
                return Optional.ofNullable(EVENT_STATS.get(field.substring(stat + 1)));
            }
            return Optional.empty();
        }
        return Optional.ofNullable(BUILT_IN.get(field));
    }
}
