package io.strata.insight.query;

import io.strata.insight.funnel.Funnel;
import io.strata.insight.funnel.Step;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ordered funnel computed inside the engine, for the funnels it covers ({@link #covers}): in
 * order, one window from the first step, no exclusions, no step windows of their own. Every event of
 * the first step starts a path; each next step is the person's first event of that step after the
 * step before (an as-of join per step), kept when it falls within the window; of a person's paths the
 * furthest counts, then the one ending earliest, then the one starting earliest. That is the path
 * {@link Funnel#compute} chooses over the same events (the tests hold one against the other), and
 * taking the earliest next step is optimal here because the only limit is the window from the start.
 * Only one row per group leaves the engine, whatever the number of events.
 */
public final class FunnelQuery {

    private static final long NO_TIME = Long.MAX_VALUE;

    private final Connection query;

    /** Over a connection of {@code EventStore.openQuery()}, which the caller closes. */
    public FunnelQuery(Connection query) {
        this.query = query;
    }

    /** Whether the engine computes this funnel (otherwise {@link Funnel#compute} over the step events does). */
    public static boolean covers(Funnel.Settings settings) {
        return settings.order() == Funnel.Order.ORDERED
                && settings.exclusions().isEmpty()
                && settings.steps().stream().allMatch(s -> s.maxGap() == null);
    }

    /**
     * The funnel of each group, groups in name order: one group ("") without a breakdown, or one per
     * value of {@code breakdownProperty} on the first step's event ("(none)" where it is missing).
     */
    public Map<String, List<Funnel.StepResult>> compute(
            String tenant, Funnel.Settings settings, String breakdownProperty, String audience, Insights.Period period)
            throws SQLException {
        List<Step> steps = settings.steps();
        int n = steps.size();
        List<Object> params = new ArrayList<>();
        StringBuilder sql = best(tenant, settings, breakdownProperty, audience, period, params);
        sql.append(" SELECT b");
        for (int k = 1; k <= n; k++) {
            sql.append(", count(*) FILTER (WHERE reached >= ").append(k).append(")");
        }
        for (int k = 2; k <= n; k++) {
            String gap = "CASE WHEN reached >= " + k + " THEN (t" + k + " - t" + (k - 1) + ") // 1000 END";
            sql.append(", median(").append(gap).append("), avg(").append(gap).append(")");
        }
        sql.append(" FROM best GROUP BY b");
        Map<String, List<Funnel.StepResult>> out = new TreeMap<>();
        try (PreparedStatement s = prepare(sql, params);
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                long[] people = new long[n];
                for (int k = 0; k < n; k++) {
                    people[k] = r.getLong(2 + k);
                }
                List<Funnel.StepResult> results = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    Duration median = null;
                    Duration mean = null;
                    if (k > 0) {
                        int column = 2 + n + 2 * (k - 1);
                        double m = r.getDouble(column);
                        if (!r.wasNull()) {
                            median = Duration.ofMillis((long) Math.floor(m));
                            mean = Duration.ofMillis(Math.round(r.getDouble(column + 1)));
                        }
                    }
                    results.add(Funnel.StepResult.of(steps.get(k).label(), people, k, median, mean));
                }
                out.put(r.getString(1), results);
            }
        }
        return out;
    }

    /**
     * The same funnel's cells per group ({@link Funnel.Cells}: people per step and how many took each
     * time since the step before), which add up over disjoint sets of people, for a funnel gathered
     * over several replicas.
     */
    public Map<String, Funnel.Cells> cells(
            String tenant, Funnel.Settings settings, String breakdownProperty, String audience, Insights.Period period)
            throws SQLException {
        int n = settings.steps().size();
        List<Object> params = new ArrayList<>();
        StringBuilder sql = best(tenant, settings, breakdownProperty, audience, period, params);
        // step 0: people by how far they reached; step k: people by their time from step k-1
        sql.append(" SELECT b, 0 AS step, reached AS v, count(*) FROM best GROUP BY b, reached");
        for (int k = 2; k <= n; k++) {
            sql.append(" UNION ALL SELECT b, ")
                    .append(k)
                    .append(", (t")
                    .append(k)
                    .append(" - t")
                    .append(k - 1)
                    .append(") // 1000, count(*) FROM best WHERE reached >= ")
                    .append(k)
                    .append(" GROUP BY ALL");
        }
        Map<String, Funnel.Cells> out = new TreeMap<>();
        try (PreparedStatement s = prepare(sql, params);
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                Funnel.Cells cells = out.computeIfAbsent(r.getString(1), g -> Funnel.Cells.empty(n));
                int step = r.getInt(2);
                long value = r.getLong(3);
                long count = r.getLong(4);
                if (step == 0) {
                    for (int k = 0; k < value; k++) {
                        cells.people()[k] += count;
                    }
                } else {
                    cells.gaps().get(step - 1).merge(value, count, Long::sum);
                }
            }
        }
        return out;
    }

    private PreparedStatement prepare(CharSequence sql, List<Object> params) throws SQLException {
        PreparedStatement s = query.prepareStatement(sql.toString());
        try {
            int i = 1;
            for (Object p : params) {
                if (p instanceof Insights.Period bounds) {
                    i = bounds.bind(s, i);
                } else if (p instanceof Double d) {
                    s.setDouble(i++, d);
                } else {
                    s.setString(i++, (String) p);
                }
            }
            return s;
        } catch (SQLException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The SQL up to {@code best}: each person's best path, with its group, steps reached and times. */
    private static StringBuilder best(
            String tenant,
            Funnel.Settings settings,
            String breakdownProperty,
            String audience,
            Insights.Period period,
            List<Object> params) {
        if (!covers(settings)) {
            throw new IllegalArgumentException("an ordered funnel with one window and no exclusions only");
        }
        List<Step> steps = settings.steps();
        int n = steps.size();
        StringBuilder sql = new StringBuilder("WITH e AS (SELECT profile_id, epoch_us(ts) AS t, ");
        if (breakdownProperty == null) {
            sql.append("'' AS b");
        } else {
            sql.append("coalesce(json_extract_string(properties, ?), '(none)') AS b");
            params.add("$." + breakdownProperty);
        }
        for (int k = 0; k < n; k++) {
            sql.append(", (")
                    .append(condition(steps.get(k), params))
                    .append(") AS k")
                    .append(k + 1);
        }
        Set<String> names = new LinkedHashSet<>();
        steps.forEach(s -> names.add(s.event()));
        sql.append(" FROM events WHERE tenant = ?").append(period.sql("ts"));
        params.add(tenant);
        params.add(period);
        sql.append(" AND name IN (").append("?, ".repeat(names.size() - 1)).append("?)");
        params.addAll(names);
        if (audience != null) {
            sql.append(
                    " AND profile_id IN (SELECT profile_id FROM audience_members WHERE tenant = ? AND segment_id = ?)");
            params.add(tenant);
            params.add(audience);
        }
        sql.append(")");
        for (int k = 1; k <= n; k++) {
            sql.append(", s").append(k).append(" AS (SELECT profile_id, t");
            if (k == 1) {
                sql.append(", b");
            }
            sql.append(" FROM e WHERE k").append(k).append(")");
        }
        long window = Insights.micros(java.time.Instant.EPOCH.plus(settings.window()));
        // j1: each start; jk: the first event of step k after step k-1 (NO_TIME once a step is missed)
        sql.append(", j1 AS (SELECT profile_id, b, t AS t1 FROM s1)");
        for (int k = 2; k <= n; k++) {
            sql.append(", j")
                    .append(k)
                    .append(" AS (SELECT j.*, CASE WHEN x.t <= j.t1 + ")
                    .append(window)
                    .append(" THEN x.t ELSE ")
                    .append(NO_TIME)
                    .append(" END AS t")
                    .append(k)
                    .append(" FROM j")
                    .append(k - 1)
                    .append(" j ASOF LEFT JOIN s")
                    .append(k)
                    .append(" x ON j.profile_id = x.profile_id AND x.t > j.t")
                    .append(k - 1)
                    .append(")");
        }
        StringBuilder reached = new StringBuilder("1");
        StringBuilder last = new StringBuilder("t1");
        for (int k = 2; k <= n; k++) {
            reached.append(" + (t").append(k).append(" < ").append(NO_TIME).append(")::INTEGER");
            last.insert(0, "CASE WHEN t" + k + " < " + NO_TIME + " THEN t" + k + " ELSE ")
                    .append(" END");
        }
        sql.append(", paths AS (SELECT *, ")
                .append(reached)
                .append(" AS reached, ")
                .append(last)
                .append(" AS t_last FROM j")
                .append(n)
                .append(")");
        // a person's best path: an aggregate (hashed), not a window (sorted)
        sql.append(", best AS (SELECT unnest(arg_min(p, [-p.reached, p.t_last, p.t1])) FROM paths p"
                + " GROUP BY p.profile_id)");
        return sql;
    }

    /** A step as SQL over {@code name} and {@code properties}, as {@code Step.matches} reads them. */
    private static String condition(Step step, List<Object> params) {
        StringBuilder sql = new StringBuilder("name = ?");
        params.add(step.event());
        for (Step.Filter f : step.filters()) {
            // each use of the property binds its path; a filter that can hold for no event binds none
            String value = "json_extract_string(properties, ?)";
            String path = "$." + f.property();
            switch (f.op()) {
                case EQ -> {
                    sql.append(" AND ").append(value).append(" = ?");
                    params.add(path);
                    params.add(String.valueOf(f.values().get(0)));
                }
                // a missing property differs from any value
                case NE -> {
                    sql.append(" AND coalesce(").append(value).append(" <> ?, true)");
                    params.add(path);
                    params.add(String.valueOf(f.values().get(0)));
                }
                case IN -> {
                    if (f.values().isEmpty()) {
                        sql.append(" AND false");
                        continue;
                    }
                    sql.append(" AND ")
                            .append(value)
                            .append(" IN (")
                            .append("?, ".repeat(f.values().size() - 1))
                            .append("?)");
                    params.add(path);
                    f.values().forEach(v -> params.add(String.valueOf(v)));
                }
                default -> {
                    String op = switch (f.op()) {
                        case GT -> ">";
                        case GTE -> ">=";
                        case LT -> "<";
                        default -> "<=";
                    };
                    double bound = Step.Filter.number(f.values().get(0));
                    if (Double.isNaN(bound)) {
                        // nothing compares with a value that is not a number
                        sql.append(" AND false");
                        continue;
                    }
                    // a property is a number as Step.Filter.number reads it, so both paths agree on
                    // values such as "NaN", "inf" or "5d"
                    sql.append(" AND CASE WHEN regexp_full_match(")
                            .append(value)
                            .append(", ?) THEN CAST(")
                            .append(value)
                            .append(" AS DOUBLE) END ")
                            .append(op)
                            .append(" ?");
                    params.add(path);
                    params.add(Step.Filter.NUMBER);
                    params.add(path);
                    params.add(bound);
                }
            }
        }
        return sql.toString();
    }
}
