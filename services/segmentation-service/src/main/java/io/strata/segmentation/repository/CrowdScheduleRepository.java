package io.strata.segmentation.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Saved custom crowd clusterings that run again every few days, on the reactive client. */
@ApplicationScoped
public class CrowdScheduleRepository {

    /**
     * One schedule.
     *
     * @param request the clustering's request as JSON, its defaults filled in
     * @param lastChosen the crowds its last run found (null: it failed, or none yet)
     */
    public record Schedule(
            String tenant,
            String saveAs,
            String request,
            int everyDays,
            Instant lastRunAt,
            Integer lastChosen,
            String lastError,
            String createdBy) {}

    private static final String COLUMNS =
            "tenant, save_as, request, every_days, last_run_at, last_chosen, last_error, created_by";

    private final Pool pool;

    public CrowdScheduleRepository(Pool pool) {
        this.pool = pool;
    }

    /** The clustering runs again every {@code everyDays} from now (it has just run, finding {@code chosen}). */
    public Uni<Void> save(String tenant, String saveAs, String request, int everyDays, int chosen, String by) {
        return pool.preparedQuery("insert into crowd_schedules (" + COLUMNS + ") values ($1, $2, $3, $4, now(), $5,"
                        + " null, $6) on conflict (tenant, save_as) do update set request = excluded.request,"
                        + " every_days = excluded.every_days, last_run_at = excluded.last_run_at,"
                        + " last_chosen = excluded.last_chosen, last_error = null, created_by = excluded.created_by")
                .execute(Tuple.of(tenant, saveAs, request, everyDays, chosen, by))
                .replaceWithVoid();
    }

    /** No more re-runs of the clustering; whether there was one. */
    public Uni<Boolean> remove(String tenant, String saveAs) {
        return pool.preparedQuery("delete from crowd_schedules where tenant = $1 and save_as = $2")
                .execute(Tuple.of(tenant, saveAs))
                .map(rows -> rows.rowCount() > 0);
    }

    /** The tenant's schedules, by name. */
    public Uni<List<Schedule>> list(String tenant) {
        return pool.preparedQuery("select " + COLUMNS + " from crowd_schedules where tenant = $1 order by save_as")
                .execute(Tuple.of(tenant))
                .map(CrowdScheduleRepository::schedules);
    }

    /**
     * The schedules of these tenants due at {@code now}, claimed: their last run moved to now, so a
     * replica that looks at the same time finds none of them due.
     */
    public Uni<List<Schedule>> claimDue(Collection<String> tenants, Instant now) {
        return pool.preparedQuery(
                        "update crowd_schedules set last_run_at = $2::timestamptz where tenant = any($1::text[])"
                                + " and last_run_at <= $2::timestamptz - make_interval(days => every_days) returning "
                                + COLUMNS)
                .execute(Tuple.of(tenants.toArray(String[]::new), OffsetDateTime.ofInstant(now, ZoneOffset.UTC)))
                .map(CrowdScheduleRepository::schedules);
    }

    /**
     * How a run went: the crowds found, or why it failed (then it is due again in an hour, not a
     * whole period later: partitions loading after a restart fail a run for a while).
     */
    public Uni<Void> ran(String tenant, String saveAs, Integer chosen, String error) {
        return pool.preparedQuery("update crowd_schedules set last_chosen = $3, last_error = $4, last_run_at ="
                        + " case when $4::text is null then last_run_at"
                        + " else now() - make_interval(days => every_days) + interval '1 hour' end"
                        + " where tenant = $1 and save_as = $2")
                .execute(Tuple.of(tenant, saveAs, chosen, error))
                .replaceWithVoid();
    }

    private static List<Schedule> schedules(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<Schedule> out = new ArrayList<>();
        for (Row row : rows) {
            out.add(new Schedule(
                    row.getString(0),
                    row.getString(1),
                    row.getString(2),
                    row.getInteger(3),
                    row.getOffsetDateTime(4).toInstant(),
                    row.getInteger(5),
                    row.getString(6),
                    row.getString(7)));
        }
        return out;
    }
}
