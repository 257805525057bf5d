package io.strata.segmentation.repository;

import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The record of each model run, on the reactive client. */
@ApplicationScoped
public class ModelRunRepository {

    /**
     * One run; {@code counts} and {@code clv} are JSON (null while running).
     *
     * @param finishedAt null while running
     */
    public record Stored(
            UUID id,
            String tenant,
            String status,
            String trigger,
            Instant asOf,
            Instant inputsFrom,
            long settingsVersion,
            Instant startedAt,
            Instant finishedAt,
            Long profiles,
            String counts,
            Long tagsChanged,
            String clv,
            String error,
            String createdBy) {}

    private static final String COLUMNS = "id, tenant, status, trigger, as_of, inputs_from, settings_version,"
            + " started_at, finished_at, profiles, counts::text, tags_changed, clv::text, error, created_by";

    private final Pool pool;

    public ModelRunRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * A new run, running; a run of the tenant still running since before {@code abandonedAfter} is
     * marked failed first (its replica went away). FAILED_PRECONDITION while another one runs.
     */
    public Uni<Stored> start(
            String tenant,
            String trigger,
            Instant asOf,
            Instant inputsFrom,
            long settingsVersion,
            String by,
            Duration abandonedAfter) {
        UUID id = UUID.randomUUID();
        return pool.preparedQuery(
                        "update model_runs set status = 'failed', finished_at = now(),"
                                + " error = 'abandoned: still running after ' || $2 || ' s (its replica stopped)'"
                                + " where tenant = $1 and status = 'running' and started_at < now() - make_interval(secs => $2)")
                .execute(Tuple.of(tenant, abandonedAfter.toSeconds()))
                .chain(ignored -> pool.preparedQuery("insert into model_runs (id, tenant, status, trigger, as_of,"
                                + " inputs_from, settings_version, created_by)"
                                + " values ($1, $2, 'running', $3, $4, $5, $6, $7) returning " + COLUMNS)
                        .execute(Tuple.tuple(
                                List.of(id, tenant, trigger, offset(asOf), offset(inputsFrom), settingsVersion, by))))
                .map(rows -> stored(rows.iterator().next()))
                .onFailure(f -> f instanceof PgException pg && "23505".equals(pg.getSqlState()))
                .transform(f -> Errors.precondition("a model run of tenant " + tenant
                        + " is running; wait for it to finish (GetModelRun, ListModelRuns)"));
    }

    /** The run done, with what it found. */
    public Uni<Stored> finish(UUID id, long profiles, String counts, long tagsChanged, String clv) {
        return pool.preparedQuery("update model_runs set status = 'done', finished_at = now(), profiles = $2,"
                        + " counts = cast($3::text as jsonb), tags_changed = $4, clv = cast($5::text as jsonb)"
                        + " where id = $1 returning " + COLUMNS)
                .execute(Tuple.of(id, profiles, counts, tagsChanged, clv))
                .map(rows -> stored(rows.iterator().next()));
    }

    /** The run failed, and why. */
    public Uni<Stored> fail(UUID id, String error) {
        return pool.preparedQuery("update model_runs set status = 'failed', finished_at = now(), error = $2"
                        + " where id = $1 returning " + COLUMNS)
                .execute(Tuple.of(id, error))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    /** The tenant's run, or null. */
    public Uni<Stored> find(String tenant, UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from model_runs where tenant = $1 and id = $2")
                .execute(Tuple.of(tenant, id))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    /** The tenant's latest runs, newest first. */
    public Uni<List<Stored>> list(String tenant, int limit) {
        return pool.preparedQuery("select " + COLUMNS
                        + " from model_runs where tenant = $1 order by started_at desc, id limit $2")
                .execute(Tuple.of(tenant, limit))
                .map(rows -> {
                    List<Stored> out = new ArrayList<>();
                    rows.forEach(row -> out.add(stored(row)));
                    return out;
                });
    }

    /** When the tenant's last scheduled run started (null: never). */
    public Uni<Instant> lastScheduled(String tenant) {
        return pool.preparedQuery("select max(started_at) from model_runs where tenant = $1 and trigger = 'scheduled'")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    OffsetDateTime at = rows.iterator().next().getOffsetDateTime(0);
                    return at == null ? null : at.toInstant();
                });
    }

    private static OffsetDateTime offset(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(Row row, int column) {
        OffsetDateTime at = row.getOffsetDateTime(column);
        return at == null ? null : at.toInstant();
    }

    private static Stored stored(Row row) {
        return new Stored(
                row.getUUID(0),
                row.getString(1),
                row.getString(2),
                row.getString(3),
                instant(row, 4),
                instant(row, 5),
                row.getLong(6),
                instant(row, 7),
                instant(row, 8),
                row.getLong(9),
                row.getString(10),
                row.getLong(11),
                row.getString(12),
                row.getString(13),
                row.getString(14));
    }
}
