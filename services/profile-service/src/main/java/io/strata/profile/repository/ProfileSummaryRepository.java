package io.strata.profile.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.ProfileSummary;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Aggregates over a tenant's profiles, on the reactive client (a few grouped scans, run at once). */
@ApplicationScoped
public class ProfileSummaryRepository {

    private final Pool pool;

    public ProfileSummaryRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<ProfileSummary> summarize(String tenant, int topEvents) {
        Tuple t = Tuple.of(tenant);
        Uni<Row> profiles = one("select count(*) as n, min(first_seen) as first, max(last_seen) as last"
                + " from profiles where tenant = $1", t);
        Uni<Map<String, Long>> identities = pool.preparedQuery("select type, count(*) as n from profile_identities"
                + " where tenant = $1 group by type order by type").execute(t).map(rows -> {
                    Map<String, Long> byType = new LinkedHashMap<>();
                    rows.forEach(row -> byType.put(row.getString("type"), row.getLong("n")));
                    return byType;
                });
        Uni<Row> known = one("select count(distinct profile_id) as n from profile_identities"
                + " where tenant = $1 and type = 'USER_ID'", t);
        Uni<Row> merges = one("select count(*) as n from profile_merges where tenant = $1", t);
        Uni<Row> events = one("select coalesce(sum(count), 0) as n from profile_event_counts where tenant = $1", t);
        Uni<List<ProfileSummary.EventTotal>> top = pool.preparedQuery("select event_name, sum(count) as events,"
                + " count(*) as profiles from profile_event_counts where tenant = $1"
                + " group by event_name order by events desc, event_name limit $2")
                .execute(Tuple.of(tenant, topEvents)).map(rows -> {
                    List<ProfileSummary.EventTotal> totals = new ArrayList<>();
                    rows.forEach(row -> totals.add(new ProfileSummary.EventTotal(row.getString("event_name"),
                            row.getLong("events"), row.getLong("profiles"))));
                    return totals;
                });
        return Uni.combine().all().unis(profiles, identities, known, merges, events, top).with(parts -> {
            Row p = (Row) parts.get(0);
            @SuppressWarnings("unchecked")
            Map<String, Long> byType = (Map<String, Long>) parts.get(1);
            @SuppressWarnings("unchecked")
            List<ProfileSummary.EventTotal> totals = (List<ProfileSummary.EventTotal>) parts.get(5);
            return new ProfileSummary(p.getLong("n"), ((Row) parts.get(2)).getLong("n"), byType,
                    ((Row) parts.get(3)).getLong("n"), ((Row) parts.get(4)).getLong("n"), totals,
                    instant(p.getOffsetDateTime("first")), instant(p.getOffsetDateTime("last")));
        });
    }

    private Uni<Row> one(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args).map(rows -> rows.iterator().next());
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
