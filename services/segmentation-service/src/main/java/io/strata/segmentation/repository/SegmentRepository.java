package io.strata.segmentation.repository;

import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.segmentation.domain.Segment;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Audiences and their versions, on the reactive client. */
@ApplicationScoped
public class SegmentRepository {

    private static final String COLUMNS = "tenant, id, name, description, kind, state, version, definition::text,"
            + " created_at, updated_at, updated_by, seq, last_change_at, last_full_evaluation_at";

    private final Pool pool;

    public SegmentRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Segment> find(String tenant, String id) {
        return pool.preparedQuery("select " + COLUMNS + " from segments where tenant = $1 and id = $2")
                .execute(Tuple.of(tenant, id))
                .map(rows -> rows.size() == 0 ? null : segment(rows.iterator().next()));
    }

    /** The tenant's audiences, by id. */
    public Uni<List<Segment>> list(String tenant) {
        return pool.preparedQuery("select " + COLUMNS + " from segments where tenant = $1 order by id")
                .execute(Tuple.of(tenant))
                .map(SegmentRepository::segments);
    }

    /** Audiences of every tenant changed after {@code seq}, oldest change first. */
    public Uni<List<Segment>> changedSince(long seq) {
        return pool.preparedQuery("select " + COLUMNS + " from segments where seq > $1 order by seq")
                .execute(Tuple.of(seq))
                .map(SegmentRepository::segments);
    }

    /** A new audience with its first version; ALREADY_EXISTS when the id is taken. */
    public Uni<Segment> create(Segment s) {
        return pool.withTransaction(conn -> conn.preparedQuery("insert into segments (tenant, id, name, description,"
                        + " kind, state, version, definition, created_at, updated_at, updated_by)"
                        + " values ($1, $2, $3, $4, $5, $6, 1, cast($7::text as jsonb), now(), now(), $8)"
                        + " on conflict do nothing returning " + COLUMNS)
                .execute(Tuple.tuple()
                        .addString(s.tenant())
                        .addString(s.id())
                        .addString(s.name())
                        .addString(s.description())
                        .addString(s.kind().label())
                        .addString(s.state().label())
                        .addString(s.definition())
                        .addString(s.updatedBy()))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().failure(Errors.exists("segment " + s.id() + " exists already"));
                    }
                    Segment created = segment(rows.iterator().next());
                    return version(conn, created).replaceWith(created);
                }));
    }

    /**
     * A new version: name, description and definition replaced; FAILED_PRECONDITION when
     * {@code expectedVersion} (not 0) is no longer the current one.
     */
    public Uni<Segment> update(
            String tenant,
            String id,
            String name,
            String description,
            String definition,
            long expectedVersion,
            String by) {
        return pool.withTransaction(conn -> lock(conn, tenant, id).chain(current -> {
            if (expectedVersion != 0 && current.version() != expectedVersion) {
                return Uni.createFrom()
                        .failure(Errors.precondition("segment " + id + " is at version " + current.version()
                                + ", the edit was made on version " + expectedVersion));
            }
            boolean newDefinition = definition != null && !definition.equals(current.definition());
            long version = newDefinition ? current.version() + 1 : current.version();
            return conn.preparedQuery("update segments set name = $3, description = $4, version = $5,"
                            + " definition = cast($6::text as jsonb), updated_at = now(), updated_by = $7,"
                            + " seq = nextval('segment_changes') where tenant = $1 and id = $2 returning "
                            + COLUMNS)
                    .execute(Tuple.tuple()
                            .addString(tenant)
                            .addString(id)
                            .addString(name)
                            .addString(description)
                            .addLong(version)
                            .addString(newDefinition ? definition : current.definition())
                            .addString(by))
                    .map(rows -> segment(rows.iterator().next()))
                    .chain(updated -> newDefinition
                            ? version(conn, updated).replaceWith(updated)
                            : Uni.createFrom().item(updated));
        }));
    }

    /** Moves an audience to another state (the caller checked the move is allowed). */
    public Uni<Segment> setState(String tenant, String id, Segment.State state, String by) {
        return pool.withTransaction(conn -> lock(conn, tenant, id)
                .chain(current -> conn.preparedQuery("update segments set state = $3, updated_at = now(),"
                                + " updated_by = $4, seq = nextval('segment_changes')"
                                + " where tenant = $1 and id = $2 returning " + COLUMNS)
                        .execute(Tuple.of(tenant, id, state.label(), by))
                        .map(rows -> segment(rows.iterator().next()))));
    }

    /** Every version, newest first. */
    public Uni<List<Segment.Version>> versions(String tenant, String id) {
        return pool.preparedQuery("select version, definition::text, created_at, created_by from segment_versions"
                        + " where tenant = $1 and id = $2 order by version desc")
                .execute(Tuple.of(tenant, id))
                .map(rows -> {
                    List<Segment.Version> out = new ArrayList<>();
                    for (Row row : rows) {
                        out.add(new Segment.Version(
                                row.getLong(0), row.getString(1), instant(row.getOffsetDateTime(2)), row.getString(3)));
                    }
                    return out;
                });
    }

    /** A day's size of an audience. */
    public record DailySize(java.time.LocalDate day, long size, Instant recordedAt) {}

    /**
     * Records today's size of every active audience, counted from the stored members of every
     * partition (so any replica may record, and a second recording the same day replaces the first).
     */
    public Uni<Integer> recordSizes(java.time.LocalDate today) {
        return pool.preparedQuery("insert into segment_sizes (tenant, segment_id, day, size, recorded_at)"
                        + " select s.tenant, s.id, $1, (select count(*) from segment_members m"
                        + " where m.tenant = s.tenant and m.segment_id = s.id), now()"
                        + " from segments s where s.state = 'active'"
                        + " on conflict (tenant, segment_id, day)"
                        + " do update set size = excluded.size, recorded_at = excluded.recorded_at")
                .execute(Tuple.of(today))
                .map(rows -> rows.rowCount());
    }

    /** The audience's recorded sizes from {@code from} on, oldest first. */
    public Uni<List<DailySize>> sizes(String tenant, String id, java.time.LocalDate from) {
        return pool.preparedQuery("select day, size, recorded_at from segment_sizes"
                        + " where tenant = $1 and segment_id = $2 and day >= $3 order by day")
                .execute(Tuple.of(tenant, id, from))
                .map(rows -> {
                    List<DailySize> out = new ArrayList<>();
                    for (Row row : rows) {
                        out.add(new DailySize(row.getLocalDate(0), row.getLong(1), instant(row.getOffsetDateTime(2))));
                    }
                    return out;
                });
    }

    /** Marks audiences evaluated over every profile now. */
    public Uni<Void> evaluated(String tenant, List<String> ids) {
        return pool.preparedQuery("update segments set last_full_evaluation_at = now()"
                        + " where tenant = $1 and id = any($2::text[])")
                .execute(Tuple.of(tenant, ids.toArray(String[]::new)))
                .replaceWithVoid();
    }

    private Uni<Segment> lock(SqlConnection conn, String tenant, String id) {
        return conn.preparedQuery("select " + COLUMNS + " from segments where tenant = $1 and id = $2 for update")
                .execute(Tuple.of(tenant, id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw Errors.notFound("segment " + id + " not found");
                    }
                    return segment(rows.iterator().next());
                });
    }

    private static Uni<Void> version(SqlConnection conn, Segment s) {
        return conn.preparedQuery("insert into segment_versions (tenant, id, version, definition, created_at,"
                        + " created_by) values ($1, $2, $3, cast($4::text as jsonb), now(), $5)")
                .execute(Tuple.tuple()
                        .addString(s.tenant())
                        .addString(s.id())
                        .addLong(s.version())
                        .addString(s.definition())
                        .addString(s.updatedBy()))
                .replaceWithVoid();
    }

    private static List<Segment> segments(RowSet<Row> rows) {
        List<Segment> out = new ArrayList<>();
        for (Row row : rows) {
            out.add(segment(row));
        }
        return out;
    }

    private static Segment segment(Row row) {
        return new Segment(
                row.getString(0),
                row.getString(1),
                row.getString(2),
                row.getString(3),
                Segment.Kind.of(row.getString(4)),
                Segment.State.of(row.getString(5)),
                row.getLong(6),
                row.getString(7),
                instant(row.getOffsetDateTime(8)),
                instant(row.getOffsetDateTime(9)),
                row.getString(10),
                row.getLong(11),
                instant(row.getOffsetDateTime(12)),
                instant(row.getOffsetDateTime(13)));
    }

    static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }

    static OffsetDateTime at(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
