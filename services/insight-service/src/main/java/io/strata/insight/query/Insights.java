package io.strata.insight.query;

import io.strata.insight.association.Baskets;
import io.strata.insight.funnel.Event;
import io.strata.insight.funnel.Funnel;
import io.strata.insight.funnel.Step;
import io.strata.insight.grow.Grow;
import io.strata.insight.retention.Retention;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rows each analysis reads, by SQL over the store's views ({@code events},
 * {@code audience_members}), handed to the plain-Java analyses. Only the columns and rows an
 * analysis needs leave the engine: the step events of a funnel with the properties its filters
 * name, the baskets' items, the orders' figures per category.
 */
public final class Insights {

    /** A period [from, to); either end may be null (unbounded). */
    public record Period(Instant from, Instant to) {

        public static final Period ALL = new Period(null, null);

        String sql(String column) {
            return (from == null ? "" : " AND epoch_us(" + column + ") >= ?")
                    + (to == null ? "" : " AND epoch_us(" + column + ") < ?");
        }

        int bind(PreparedStatement s, int index) throws SQLException {
            if (from != null) {
                s.setLong(index++, micros(from));
            }
            if (to != null) {
                s.setLong(index++, micros(to));
            }
            return index;
        }
    }

    private final Connection query;

    /** Over a connection of {@code EventStore.openQuery()}, which the caller closes. */
    public Insights(Connection query) {
        this.query = query;
    }

    /** The audience's current members (none: an audience the feed never named, or one without members). */
    public List<String> members(String tenant, String audience) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement s =
                query.prepareStatement("SELECT profile_id FROM audience_members WHERE tenant = ? AND segment_id = ?")) {
            s.setString(1, tenant);
            s.setString(2, audience);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
        }
        return out;
    }

    /** Whether the audience has a member (without reading them). */
    public boolean hasMembers(String tenant, String audience) throws SQLException {
        try (PreparedStatement s =
                query.prepareStatement("SELECT 1 FROM audience_members WHERE tenant = ? AND segment_id = ? LIMIT 1")) {
            s.setString(1, tenant);
            s.setString(2, audience);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** The tenant's stored events and the profiles they belong to. */
    public long[] volume(String tenant) throws SQLException {
        try (PreparedStatement s =
                query.prepareStatement("SELECT count(*), count(DISTINCT profile_id) FROM events WHERE tenant = ?")) {
            s.setString(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new long[] {r.getLong(1), r.getLong(2)};
            }
        }
    }

    /** What an item of a basket is. */
    public enum Level {
        CATEGORY("category"),
        PRODUCT("product_id");

        final String field;

        Level(String field) {
            this.field = field;
        }
    }

    /**
     * Baskets of the tenant's orders in the period: the items of each order, or (with
     * {@code windowDays} > 0) everything a consumer bought within that many days of their first
     * order of the period. Only the audience's members when {@code audience} is not null.
     */
    public Baskets baskets(String tenant, Level level, int windowDays, String audience, Period period)
            throws SQLException {
        String items = "SELECT profile_id, coalesce(order_id, message_id) AS basket, ts,"
                + " unnest(json_extract_string(properties, '$.products[*]." + level.field + "')) AS item"
                + " FROM events WHERE tenant = ? AND name = 'Order Completed'" + period.sql("ts")
                + (audience == null
                        ? ""
                        : " AND profile_id IN (SELECT profile_id FROM audience_members WHERE tenant = ? AND segment_id = ?)");
        String sql = windowDays <= 0
                ? "SELECT list(DISTINCT item ORDER BY item) FROM (" + items + ") WHERE item IS NOT NULL GROUP BY basket"
                        + " ORDER BY min(ts), basket"
                : "SELECT list(DISTINCT item ORDER BY item) FROM (SELECT *, min(ts) OVER (PARTITION BY profile_id) AS first"
                        + " FROM (" + items + ")) WHERE item IS NOT NULL AND ts < first + to_days(" + windowDays + ")"
                        + " GROUP BY profile_id ORDER BY min(ts), profile_id";
        Baskets.Builder out = Baskets.builder();
        try (PreparedStatement s = query.prepareStatement(sql)) {
            int i = bindTenant(s, tenant, period);
            if (audience != null) {
                s.setString(i++, tenant);
                s.setString(i, audience);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Object[] array = (Object[]) r.getArray(1).getArray();
                    List<String> basket = new ArrayList<>(array.length);
                    for (Object item : array) {
                        basket.add(String.valueOf(item));
                    }
                    out.add(basket);
                }
            }
        }
        return out.build();
    }

    /**
     * The events a funnel looks at, in time order: those named by a step or an exclusion (every
     * event of the people, for a strict funnel), with the properties the filters and the breakdown
     * name.
     */
    public List<Event> funnelEvents(
            String tenant, Funnel.Settings settings, String breakdownProperty, String audience, Period period)
            throws SQLException {
        Set<String> names = new LinkedHashSet<>();
        Set<String> properties = new LinkedHashSet<>();
        List<Step> all = new ArrayList<>(settings.steps());
        settings.exclusions().forEach(e -> all.add(e.event()));
        for (Step step : all) {
            names.add(step.event());
            step.filters().forEach(f -> properties.add(f.property()));
        }
        if (breakdownProperty != null) {
            properties.add(breakdownProperty);
        }
        List<String> props = new ArrayList<>(properties);
        StringBuilder sql = new StringBuilder("SELECT profile_id, epoch_us(ts), name");
        for (int i = 0; i < props.size(); i++) {
            sql.append(", json_extract_string(properties, ?)");
        }
        sql.append(" FROM events WHERE tenant = ?").append(period.sql("ts"));
        if (settings.order() != Funnel.Order.STRICT) {
            sql.append(" AND name IN (").append("?, ".repeat(names.size() - 1)).append("?)");
        }
        if (audience != null) {
            sql.append(
                    " AND profile_id IN (SELECT profile_id FROM audience_members WHERE tenant = ? AND segment_id = ?)");
        }
        sql.append(" ORDER BY profile_id, ts");
        List<Event> out = new ArrayList<>();
        try (PreparedStatement s = query.prepareStatement(sql.toString())) {
            int i = 1;
            for (String p : props) {
                s.setString(i++, "$." + p);
            }
            s.setString(i++, tenant);
            i = period.bind(s, i);
            if (settings.order() != Funnel.Order.STRICT) {
                for (String name : names) {
                    s.setString(i++, name);
                }
            }
            if (audience != null) {
                s.setString(i++, tenant);
                s.setString(i, audience);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Map<String, Object> values = new HashMap<>();
                    for (int p = 0; p < props.size(); p++) {
                        String value = r.getString(4 + p);
                        if (value != null) {
                            values.put(props.get(p), value);
                        }
                    }
                    out.add(new Event(r.getString(1), instant(r.getLong(2)), r.getString(3), values));
                }
            }
        }
        return out;
    }

    /**
     * The starts and returns retention counts, as days in the zone, with each return's revenue: the
     * rows of {@link Retention#compute}, the reference {@link RetentionQuery} is tested against (the
     * service computes retention in the engine).
     */
    public List<Retention.Activity> activities(
            String tenant, String startEvent, String returnEvent, String audience, Period period, ZoneId zone)
            throws SQLException {
        String sql = "SELECT profile_id, epoch_us(ts), name, coalesce(revenue, 0) FROM events WHERE tenant = ?"
                + period.sql("ts")
                + " AND name IN (?, ?)"
                + (audience == null
                        ? ""
                        : " AND profile_id IN (SELECT profile_id FROM audience_members WHERE tenant = ? AND segment_id = ?)");
        List<Retention.Activity> out = new ArrayList<>();
        try (PreparedStatement s = query.prepareStatement(sql)) {
            int i = bindTenant(s, tenant, period);
            s.setString(i++, startEvent);
            s.setString(i++, returnEvent);
            if (audience != null) {
                s.setString(i++, tenant);
                s.setString(i, audience);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String name = r.getString(3);
                    out.add(new Retention.Activity(
                            r.getString(1),
                            instant(r.getLong(2)).atZone(zone).toLocalDate(),
                            name.equals(startEvent),
                            name.equals(returnEvent),
                            r.getDouble(4)));
                }
            }
        }
        return out;
    }

    /**
     * Per category (or product) of the orders in the period: buyers, orders, units and GMV (price ×
     * quantity of each line, a missing quantity counting 1).
     */
    public Map<String, Grow.Figures> figures(String tenant, Level level, String audience, Period period)
            throws SQLException {
        String sql = "SELECT item, count(DISTINCT profile_id), count(DISTINCT basket), sum(quantity),"
                + " sum(price * quantity) FROM (SELECT profile_id, coalesce(order_id, message_id) AS basket,"
                + " json_extract_string(line, '$." + level.field + "') AS item,"
                + " coalesce(TRY_CAST(json_extract_string(line, '$.quantity') AS DOUBLE), 1) AS quantity,"
                + " coalesce(TRY_CAST(json_extract_string(line, '$.price') AS DOUBLE), 0) AS price"
                + " FROM (SELECT profile_id, order_id, message_id,"
                + " unnest(json_extract(properties, '$.products[*]')) AS line FROM events"
                + " WHERE tenant = ? AND name = 'Order Completed'" + period.sql("ts")
                + (audience == null
                        ? ""
                        : " AND profile_id IN (SELECT profile_id FROM audience_members WHERE tenant = ? AND segment_id = ?)")
                + ")) WHERE item IS NOT NULL GROUP BY item HAVING sum(price * quantity) > 0 ORDER BY item";
        Map<String, Grow.Figures> out = new TreeMap<>();
        try (PreparedStatement s = query.prepareStatement(sql)) {
            int i = bindTenant(s, tenant, period);
            if (audience != null) {
                s.setString(i++, tenant);
                s.setString(i, audience);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.put(
                            r.getString(1),
                            new Grow.Figures(r.getLong(2), r.getLong(3), Math.round(r.getDouble(4)), r.getDouble(5)));
                }
            }
        }
        return out;
    }

    /** A channel's acquisitions (see GetEconomics in insight_service.proto). */
    public record ChannelFigures(String channel, long acquired, long buyers, double revenue) {}

    /** A creator's content: its viewers and the orders attributed to it (last touch). */
    public record ContentFigures(
            String creator, List<String> channels, long viewers, long orders, long buyers, double revenue) {}

    /**
     * Per acquisition channel of the profiles whose first event fell in [from, to): how many, how
     * many bought and everything they spent. A profile came by the campaign source of its first
     * event that has one, else by the channel of its first content viewed. Costs are not in the
     * store (see CostRepository).
     */
    public List<ChannelFigures> channels(String tenant, Instant from, Instant to) throws SQLException {
        String sql = "WITH firsts AS (SELECT profile_id, min(ts) AS first_ts,"
                + " arg_min(campaign_source, ts) FILTER (WHERE campaign_source IS NOT NULL) AS source,"
                + " arg_min(json_extract_string(properties, '$.channel'), ts) FILTER (WHERE name = 'Content Viewed')"
                + " AS content_channel,"
                + " count(*) FILTER (WHERE name = 'Order Completed') AS orders,"
                + " coalesce(sum(revenue) FILTER (WHERE name = 'Order Completed'), 0) AS spent"
                + " FROM events WHERE tenant = ? GROUP BY profile_id),"
                + " acquired AS (SELECT coalesce(source, content_channel) AS channel, count(*) AS acquired,"
                + " count(*) FILTER (WHERE orders > 0) AS buyers, sum(spent) AS revenue FROM firsts"
                + " WHERE epoch_us(first_ts) >= ? AND epoch_us(first_ts) < ? AND coalesce(source, content_channel)"
                + " IS NOT NULL GROUP BY 1)"
                + " SELECT channel, acquired, buyers, revenue FROM acquired ORDER BY 1";
        List<ChannelFigures> out = new ArrayList<>();
        try (PreparedStatement s = query.prepareStatement(sql)) {
            s.setString(1, tenant);
            s.setLong(2, micros(from));
            s.setLong(3, micros(to));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new ChannelFigures(r.getString(1), r.getLong(2), r.getLong(3), r.getDouble(4)));
                }
            }
        }
        return out;
    }

    /**
     * Per creator whose content was viewed in [from, to): the viewers, the orders whose buyer last
     * viewed the creator's content at most {@code attributionDays} before (orders up to that long
     * after the period), their buyers and revenue.
     */
    public List<ContentFigures> contents(String tenant, Instant from, Instant to, int attributionDays)
            throws SQLException {
        long window = attributionDays * 86_400_000_000L;
        String sql = "WITH v AS (SELECT profile_id, ts, json_extract_string(properties, '$.creator') AS creator,"
                + " json_extract_string(properties, '$.channel') AS channel FROM events WHERE tenant = ?"
                + " AND name = 'Content Viewed' AND epoch_us(ts) >= ? AND epoch_us(ts) < ?"
                + " AND json_extract_string(properties, '$.creator') IS NOT NULL),"
                + " o AS (SELECT profile_id, ts, coalesce(revenue, 0) AS revenue FROM events WHERE tenant = ?"
                + " AND name = 'Order Completed' AND epoch_us(ts) >= ? AND epoch_us(ts) < ?),"
                + " touched AS (SELECT v.creator, o.profile_id, o.revenue FROM o ASOF JOIN v"
                + " ON o.profile_id = v.profile_id AND o.ts >= v.ts WHERE epoch_us(o.ts) - epoch_us(v.ts) <= ?),"
                + " viewed AS (SELECT creator, count(DISTINCT profile_id) AS viewers,"
                + " list(DISTINCT channel ORDER BY channel) AS channels FROM v GROUP BY creator),"
                + " attributed AS (SELECT creator, count(*) AS orders, count(DISTINCT profile_id) AS buyers,"
                + " sum(revenue) AS revenue FROM touched GROUP BY creator)"
                + " SELECT w.creator, w.channels, w.viewers, coalesce(a.orders, 0), coalesce(a.buyers, 0),"
                + " coalesce(a.revenue, 0) FROM viewed w LEFT JOIN attributed a ON a.creator = w.creator ORDER BY 1";
        List<ContentFigures> out = new ArrayList<>();
        try (PreparedStatement s = query.prepareStatement(sql)) {
            s.setString(1, tenant);
            s.setLong(2, micros(from));
            s.setLong(3, micros(to));
            s.setString(4, tenant);
            s.setLong(5, micros(from));
            s.setLong(6, micros(to) + window);
            s.setLong(7, window);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    List<String> channels = new ArrayList<>();
                    java.sql.Array array = r.getArray(2);
                    if (array != null) {
                        for (Object channel : (Object[]) array.getArray()) {
                            channels.add(String.valueOf(channel));
                        }
                    }
                    out.add(new ContentFigures(
                            r.getString(1), channels, r.getLong(3), r.getLong(4), r.getLong(5), r.getDouble(6)));
                }
            }
        }
        return out;
    }

    /** Which of the audiences each of their members is in (a profile in several: in each). */
    public Map<String, Set<String>> audiencesOf(String tenant, List<String> audiences) throws SQLException {
        Map<String, Set<String>> out = new HashMap<>();
        for (String audience : audiences) {
            for (String member : members(tenant, audience)) {
                out.computeIfAbsent(member, k -> new HashSet<>()).add(audience);
            }
        }
        return out;
    }

    private static int bindTenant(PreparedStatement s, String tenant, Period period) throws SQLException {
        s.setString(1, tenant);
        return period.bind(s, 2);
    }

    private static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    static long micros(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000);
    }
}
