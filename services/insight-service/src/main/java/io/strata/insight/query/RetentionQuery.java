package io.strata.insight.query;

import io.strata.insight.retention.Retention;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Retention cohorts computed inside the engine: the events are reduced to one row per person and
 * period (started in it, returns, revenue of the returns), the cohorts' starts are taken from those
 * rows, and only the table's cells leave the engine, a few hundred rows whatever the number of
 * events. It counts exactly what {@link Retention#compute} counts over the same events (the tests
 * hold one against the other): a person's cohort is the period of the first start (first-time) or
 * of each period with a start (recurring); period 0 is the cohort itself; a return on period N is a
 * return event in the cohort's period plus N; "on or after N" counts the people whose last return
 * within the table is at N or later; "at least" those with that many returns in period N.
 *
 * <p>Days are taken in the given time zone (the engine's ICU time zones, daylight saving
 * included); weeks start on Monday; months are calendar months.
 */
public final class RetentionQuery {

    /** Who is counted: the members of every audience in {@code in} and of none in {@code notIn}. */
    public record Members(List<String> in, List<String> notIn) {

        public static final Members ALL = new Members(List.of(), List.of());

        public Members {
            in = List.copyOf(in);
            notIn = List.copyOf(notIn);
        }

        String sql() {
            String member =
                    " AND profile_id IN (SELECT profile_id FROM audience_members WHERE tenant = ? AND segment_id = ?)";
            return member.repeat(in.size())
                    + (notIn.isEmpty()
                            ? ""
                            : " AND profile_id NOT IN (SELECT profile_id FROM audience_members WHERE tenant = ?"
                                    + " AND segment_id IN (" + "?, ".repeat(notIn.size() - 1) + "?))");
        }

        int bind(PreparedStatement s, int i, String tenant) throws SQLException {
            for (String audience : in) {
                s.setString(i++, tenant);
                s.setString(i++, audience);
            }
            if (!notIn.isEmpty()) {
                s.setString(i++, tenant);
                for (String audience : notIn) {
                    s.setString(i++, audience);
                }
            }
            return i;
        }
    }

    /**
     * The SQL of an event's period index ({@link Retention.Period#index} of its local date), and how
     * many times it takes the zone's name as a parameter before the rest of the statement's.
     */
    record PeriodIndex(String sql, int zoneParams) {

        static PeriodIndex of(Retention.Period period, ZoneId zone) {
            // the local date: a fixed offset added to UTC (the engine's zones are named ones), or a named zone
            String date = zone.normalized() instanceof ZoneOffset offset
                    ? "CAST(timezone('UTC', ts) + to_seconds(" + offset.getTotalSeconds() + ") AS DATE)"
                    : "CAST(timezone(?, ts) AS DATE)";
            int zoneParams = zone.normalized() instanceof ZoneOffset ? 0 : 1;
            String index = switch (period) {
                case DAY -> "(" + date + " - DATE '1970-01-01')";
                // epoch day 4 (1970-01-05) is a Monday
                case WEEK -> "CAST(floor(((" + date + " - DATE '1970-01-01') - 4) / 7.0) AS BIGINT)";
                case MONTH -> "(year(" + date + ") * 12 + month(" + date + ") - 1)";
            };
            return new PeriodIndex(index, period == Retention.Period.MONTH ? zoneParams * 2 : zoneParams);
        }

        int bind(PreparedStatement s, int i, ZoneId zone) throws SQLException {
            for (int z = 0; z < zoneParams; z++) {
                s.setString(i++, zone.getId());
            }
            return i;
        }
    }

    private final Connection query;

    /** Over a connection of {@code EventStore.openQuery()}, which the caller closes. */
    public RetentionQuery(Connection query) {
        this.query = query;
    }

    /**
     * Whether the engine can take days in this zone: a fixed offset always, a named zone when the
     * engine's time-zone data has it (Java's and the engine's data may differ for a new zone).
     */
    public boolean knows(ZoneId zone) throws SQLException {
        if (zone.normalized() instanceof ZoneOffset) {
            return true;
        }
        try (PreparedStatement s = query.prepareStatement("SELECT count(*) FROM pg_timezone_names() WHERE name = ?")) {
            s.setString(1, zone.getId());
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getLong(1) > 0;
            }
        }
    }

    /** The cohorts, oldest first, of the people counted who did {@code startEvent} in the period. */
    public List<Retention.Cohort> cohorts(
            String tenant,
            String startEvent,
            String returnEvent,
            Retention.Settings settings,
            Insights.Period period,
            ZoneId zone,
            Members members)
            throws SQLException {
        PeriodIndex bucket = PeriodIndex.of(settings.period(), zone);
        String index = bucket.sql();
        String starts = settings.mode() == Retention.Mode.FIRST_TIME
                ? "SELECT profile_id, min(p) AS c FROM pp WHERE s GROUP BY profile_id"
                : "SELECT profile_id, p AS c FROM pp WHERE s";
        String sql = "WITH ev AS (SELECT profile_id, " + index + " AS p, name = ? AS is_start, name = ? AS is_return,"
                + " coalesce(revenue, 0) AS revenue FROM events WHERE tenant = ?" + period.sql("ts")
                + " AND name IN (?, ?)" + members.sql() + "),"
                + " pp AS (SELECT profile_id, p, bool_or(is_start) AS s, count(*) FILTER (WHERE is_return) AS r,"
                + " coalesce(sum(revenue) FILTER (WHERE is_return), 0) AS rev FROM ev GROUP BY profile_id, p),"
                + " st AS (" + starts + "),"
                + " cells AS (SELECT st.profile_id, st.c, pp.p - st.c AS n, pp.r, pp.rev FROM st JOIN pp"
                + " ON pp.profile_id = st.profile_id AND pp.p > st.c AND pp.p < st.c + ? AND pp.r > 0)"
                // kind 0: the cohort's size; 1: per period, returned on it, at least N times, revenue;
                // 2: per period, the people whose last return is in it
                + " SELECT 0 AS kind, c, 0 AS n, count(*) AS people, 0 AS at_least, 0.0 AS rev FROM st GROUP BY c"
                + " UNION ALL SELECT 1, c, n, count(*), count(*) FILTER (WHERE r >= ?), sum(rev) FROM cells GROUP BY c, n"
                + " UNION ALL SELECT 2, c, last, count(*), 0, 0.0 FROM"
                + " (SELECT profile_id, c, max(n) AS last FROM cells GROUP BY profile_id, c) GROUP BY c, last";
        int periods = settings.periods();
        Map<Long, long[][]> counts = new TreeMap<>();
        Map<Long, double[]> revenue = new TreeMap<>();
        try (PreparedStatement s = query.prepareStatement(sql)) {
            int i = bucket.bind(s, 1, zone);
            s.setString(i++, startEvent);
            s.setString(i++, returnEvent);
            s.setString(i++, tenant);
            i = period.bind(s, i);
            s.setString(i++, startEvent);
            s.setString(i++, returnEvent);
            i = members.bind(s, i, tenant);
            s.setInt(i++, periods);
            s.setInt(i, settings.minReturns());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    long c = r.getLong(2);
                    int n = r.getInt(3);
                    // rows: size, on, on or after (by last return), at least
                    long[][] cells = counts.computeIfAbsent(c, k -> new long[4][periods]);
                    double[] rev = revenue.computeIfAbsent(c, k -> new double[periods]);
                    switch (r.getInt(1)) {
                        case 0 -> cells[0][0] = r.getLong(4);
                        case 1 -> {
                            cells[1][n] = r.getLong(4);
                            cells[3][n] = r.getLong(5);
                            rev[n] = r.getDouble(6);
                        }
                        default -> cells[2][n] = r.getLong(4);
                    }
                }
            }
        }
        List<Retention.Cohort> out = new ArrayList<>();
        counts.forEach((c, cells) -> {
            long size = cells[0][0];
            long[] on = cells[1];
            long[] onOrAfter = new long[periods];
            long[] atLeast = cells[3];
            long lastAtOrAfter = 0;
            for (int n = periods - 1; n >= 1; n--) {
                lastAtOrAfter += cells[2][n];
                onOrAfter[n] = lastAtOrAfter;
            }
            on[0] = size;
            onOrAfter[0] = size;
            atLeast[0] = size;
            out.add(new Retention.Cohort(settings.period().start(c), size, on, onOrAfter, atLeast, revenue.get(c)));
        });
        return out;
    }
}
