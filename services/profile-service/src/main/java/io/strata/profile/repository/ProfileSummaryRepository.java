package io.strata.profile.repository;

import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.ProfileSummary;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Aggregates over a tenant's profiles, on the reactive client: four grouped scans, run at once. */
@ApplicationScoped
public class ProfileSummaryRepository {

    private final Pool pool;

    public ProfileSummaryRepository(Pool pool) {
        this.pool = pool;
    }

    /** Identifiers per type, and how many profiles hold a user id. */
    private record Identities(Map<String, Long> byType, long known) {}

    /** The most frequent events, and the total of all events. */
    private record Events(List<ProfileSummary.EventTotal> top, long total) {}

    /**
     * The summary as of one moment: its queries run in one read-only repeatable-read transaction,
     * one after the other on its connection, so the counts agree with each other (profiles and
     * merges of the same commits, events of the same batches) while batches commit meanwhile.
     */
    public Uni<ProfileSummary> summarize(String tenant, int topEvents) {
        return pool.withTransaction(conn -> conn.query("set transaction isolation level repeatable read, read only")
                .execute()
                .chain(() -> summarize(conn, tenant, topEvents)));
    }

    private Uni<ProfileSummary> summarize(SqlConnection conn, String tenant, int topEvents) {
        Tuple t = Tuple.of(tenant);
        Uni<Row> profiles = one(
                conn,
                "select count(*) as n, min(first_seen) as first, max(last_seen) as last"
                        + " from profiles where tenant = $1",
                t);
        Uni<Identities> identities = conn.preparedQuery("select type, count(*) as n,"
                        + " count(distinct profile_id) as profiles from profile_identities"
                        + " where tenant = $1 group by type order by type")
                .execute(t)
                .map(rows -> {
                    Map<String, Long> byType = new LinkedHashMap<>();
                    long known = 0;
                    for (Row row : rows) {
                        byType.put(row.getString("type"), row.getLong("n"));
                        if ("USER_ID".equals(row.getString("type"))) {
                            known = row.getLong("profiles");
                        }
                    }
                    return new Identities(byType, known);
                });
        Uni<Row> merges = one(conn, "select count(*) as n from profile_merges where tenant = $1", t);
        Uni<Events> events = conn.preparedQuery("select event_name, sum(events)::bigint as events,"
                        + " sum(profiles)::bigint as profiles, (sum(sum(events)) over ())::bigint as total"
                        + " from event_totals where tenant = $1 group by event_name having sum(profiles) > 0"
                        + " order by events desc, event_name limit $2")
                .execute(Tuple.of(tenant, topEvents))
                .map(rows -> {
                    List<ProfileSummary.EventTotal> top = new ArrayList<>();
                    long total = 0;
                    for (Row row : rows) {
                        top.add(new ProfileSummary.EventTotal(
                                row.getString("event_name"), row.getLong("events"), row.getLong("profiles")));
                        total = row.getLong("total");
                    }
                    return new Events(top, total);
                });
        // one connection runs one statement at a time: in sequence
        return profiles.chain(p -> identities.chain(ids -> merges.chain(m -> events.map(e -> new ProfileSummary(
                p.getLong("n"),
                ids.known(),
                ids.byType(),
                m.getLong("n"),
                e.total(),
                e.top(),
                instant(p.getOffsetDateTime("first")),
                instant(p.getOffsetDateTime("last")))))));
    }

    private static Uni<Row> one(SqlConnection conn, String sql, Tuple args) {
        return conn.preparedQuery(sql).execute(args).map(rows -> rows.iterator().next());
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
