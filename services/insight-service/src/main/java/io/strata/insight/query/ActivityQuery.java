package io.strata.insight.query;

import io.strata.insight.retention.Retention;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Events over time computed inside the engine: per period the events, the distinct profiles and
 * the events of each name, so only a row per period and name leaves it however many events there
 * are. Periods are those of {@link RetentionQuery} (days in the given zone, weeks from Monday,
 * calendar months), so an activity chart and a retention table of the same zone line up.
 *
 * <p>Both dimensions are bounded so that the answer stays small whatever the range and the
 * tenant's naming: the latest {@code maxPeriods} periods with events, and per period only the
 * {@code maxNames} names with the most events over those periods.
 */
public final class ActivityQuery {

    /** One period: its index ({@link Retention.Period#index}), events, profiles and events per name. */
    public record Row(long index, long events, long profiles, Map<String, Long> byName) {}

    private final Connection query;

    /** Over a connection of {@code EventStore.openQuery()}, which the caller closes. */
    public ActivityQuery(Connection query) {
        this.query = query;
    }

    /** The periods with events of the people counted, oldest first. */
    public List<Row> periods(
            String tenant,
            Retention.Period unit,
            ZoneId zone,
            Insights.Period period,
            RetentionQuery.Members members,
            int maxPeriods,
            int maxNames)
            throws SQLException {
        RetentionQuery.PeriodIndex bucket = RetentionQuery.PeriodIndex.of(unit, zone);
        String sql = "WITH ev AS (SELECT " + bucket.sql() + " AS p, profile_id, name FROM events WHERE tenant = ?"
                + period.sql("ts") + members.sql() + "),"
                + " kept AS (SELECT p FROM ev GROUP BY p ORDER BY p DESC LIMIT ?),"
                + " counted AS (SELECT * FROM ev WHERE p IN (SELECT p FROM kept)),"
                + " pn AS (SELECT p, name, count(*) AS n FROM counted GROUP BY p, name),"
                + " names AS (SELECT name FROM pn GROUP BY name ORDER BY sum(n) DESC, name LIMIT ?)"
                // kind 0: the period's events and profiles; 1: a name's events in it
                + " SELECT 0 AS kind, p, NULL AS name, count(*) AS events, count(DISTINCT profile_id) AS profiles"
                + " FROM counted GROUP BY p"
                + " UNION ALL SELECT 1, p, name, n, 0 FROM pn WHERE name IN (SELECT name FROM names)"
                + " ORDER BY 2, 1, 4 DESC, 3";
        Map<Long, long[]> totals = new TreeMap<>();
        Map<Long, Map<String, Long>> byName = new TreeMap<>();
        try (PreparedStatement s = query.prepareStatement(sql)) {
            int i = bucket.bind(s, 1, zone);
            s.setString(i++, tenant);
            i = period.bind(s, i);
            i = members.bind(s, i, tenant);
            s.setInt(i++, maxPeriods);
            s.setInt(i, maxNames);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    long p = r.getLong(2);
                    if (r.getInt(1) == 0) {
                        totals.put(p, new long[] {r.getLong(4), r.getLong(5)});
                    } else {
                        byName.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(r.getString(3), r.getLong(4));
                    }
                }
            }
        }
        List<Row> out = new ArrayList<>(totals.size());
        totals.forEach((p, t) -> out.add(new Row(p, t[0], t[1], byName.getOrDefault(p, Map.of()))));
        return out;
    }
}
