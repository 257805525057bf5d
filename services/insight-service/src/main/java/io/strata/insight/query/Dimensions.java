package io.strata.insight.query;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The feature dimensions TGI indexes, each a query over the store's {@code events} view returning
 * (profile_id, value) for one tenant (the query's only parameter). They are plain SQL over the
 * stored columns, so an engine reading the same Parquet files answers them unchanged.
 */
public final class Dimensions {

    /** A dimension and the query of its (profile, value) pairs. */
    public record Dimension(String name, String sql) {}

    private static final String PRODUCTS = "unnest(json_extract_string(properties, '$.products[*].%s'))";

    public static final List<Dimension> ALL = List.of(
            content("channel"),
            content("topic"),
            content("creator"),
            new Dimension("category", ordered("category")),
            new Dimension("product", ordered("product_id")),
            // where a profile lives now: the last city its identify calls gave
            new Dimension(
                    "city",
                    "SELECT profile_id, arg_max(json_extract_string(traits, '$.city'), ts) FROM events"
                            + " WHERE tenant = ? AND json_extract_string(traits, '$.city') IS NOT NULL GROUP BY profile_id"),
            new Dimension(
                    "city_tier",
                    "SELECT profile_id, arg_max(coalesce(json_extract_string(traits, '$.cityTier'),"
                            + " json_extract_string(traits, '$.city_tier')), ts) FROM events WHERE tenant = ?"
                            + " AND coalesce(json_extract_string(traits, '$.cityTier'),"
                            + " json_extract_string(traits, '$.city_tier')) IS NOT NULL GROUP BY profile_id"),
            new Dimension(
                    "device",
                    "SELECT DISTINCT profile_id, device_type FROM events WHERE tenant = ? AND device_type IS NOT NULL"),
            // how a profile first came: the campaign source of its earliest event that has one
            new Dimension(
                    "acquisition",
                    "SELECT profile_id, arg_min(campaign_source, ts) FROM events WHERE tenant = ?"
                            + " AND campaign_source IS NOT NULL GROUP BY profile_id"));

    private static final Map<String, Dimension> BY_NAME = byName();

    private Dimensions() {}

    public static Dimension named(String name) {
        return BY_NAME.get(name);
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    private static Dimension content(String property) {
        return new Dimension(
                property,
                "SELECT DISTINCT profile_id, json_extract_string(properties, '$." + property + "') FROM events"
                        + " WHERE tenant = ? AND name = 'Content Viewed'");
    }

    private static String ordered(String field) {
        return "SELECT DISTINCT profile_id, " + String.format(PRODUCTS, field) + " FROM events"
                + " WHERE tenant = ? AND name = 'Order Completed'";
    }

    private static Map<String, Dimension> byName() {
        Map<String, Dimension> map = new LinkedHashMap<>();
        for (Dimension d : ALL) {
            map.put(d.name(), d);
        }
        return map;
    }
}
