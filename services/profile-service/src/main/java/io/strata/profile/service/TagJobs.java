package io.strata.profile.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.messaging.OutboxRelay;
import io.strata.profile.tags.TagCatalogs;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Recomputes of a tenant's rule tags over all its profiles (after a rule changed, or on request).
 * A job is a row of {@code tag_jobs}; a scheduled look ({@code strata.profile.tags.job-poll}) runs
 * it a page of profiles (in id order) per transaction,
 * which also moves the job's cursor, so a job survives a crash and resumes where it stopped. Any
 * replica runs queued jobs and jobs whose runner stopped beating ({@link #STALE}); a page locks the
 * job's row, so two runners never do the same page. A job starts twice the catalog cache's
 * lifetime after it was queued, when no replica still evaluates the rules as they were.
 */
@ApplicationScoped
public class TagJobs {

    private static final Logger LOG = Logger.getLogger(TagJobs.class);
    static final Duration STALE = Duration.ofSeconds(30);

    private final Pool pool;
    private final TagCatalogs catalogs;
    private final ProfileRewriter rewriter;
    private final OutboxRelay relay;
    private final ProfileConfig.Tags config;
    private final MeterRegistry registry;
    private final Duration settle;

    public TagJobs(
            Pool pool,
            TagCatalogs catalogs,
            ProfileRewriter rewriter,
            OutboxRelay relay,
            ProfileConfig config,
            MeterRegistry registry) {
        this.pool = pool;
        this.catalogs = catalogs;
        this.rewriter = rewriter;
        this.relay = relay;
        this.config = config.tags();
        this.registry = registry;
        // every replica's cached catalog has the change by then (TagCatalogs), so no write with the
        // old rules follows the recompute of a profile
        this.settle = config.tags().catalogTtl().multipliedBy(2);
    }

    public record Job(
            UUID id,
            String tenant,
            String status,
            String reason,
            long profiles,
            long changed,
            Instant createdAt,
            Instant finishedAt) {}

    /** Queues a recompute of the tenant, in the caller's transaction. */
    public Uni<Job> create(SqlClient client, String tenant, String reason, Instant now) {
        UUID id = UUID.randomUUID();
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        return client.preparedQuery("""
                        insert into tag_jobs (id, tenant, reason, status, created_at, heartbeat_at)
                        values ($1, $2, $3, 'queued', $4, $4)""")
                .execute(Tuple.of(id, tenant, reason, at))
                .replaceWith(new Job(id, tenant, "queued", reason, 0, 0, now, null));
    }

    public Uni<Job> create(String tenant, String reason) {
        return create(pool, tenant, reason, Instant.now());
    }

    /** The tenant's job, or a null item. */
    public Uni<Job> get(String tenant, UUID id) {
        return pool.preparedQuery("""
                        select id, tenant, status, reason, profiles, changed, created_at, finished_at
                        from tag_jobs where tenant = $1 and id = $2""")
                .execute(Tuple.of(tenant, id))
                .map(rows -> rows.iterator().hasNext() ? job(rows.iterator().next()) : null);
    }

    /** Runs a job to its end, if one is waiting; a failure leaves it for the next look (it resumes from its cursor). */
    @Scheduled(
            every = "${strata.profile.tags.job-poll}",
            delayed = "${strata.profile.tags.job-poll}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> run() {
        return claim().onItem()
                .ifNotNull()
                .transformToUni(job -> Uni.createFrom()
                        .deferred(() -> page(job))
                        .repeat()
                        .until(Boolean::booleanValue)
                        .collect()
                        .last())
                .onFailure()
                .invoke(e -> LOG.warnf("a tag recompute failed and will be resumed: %s", e.toString()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    /** Takes a queued job, or one whose runner stopped, or none. */
    private Uni<UUID> claim() {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        select id from tag_jobs
                        where (status = 'queued' and created_at < $2) or (status = 'running' and heartbeat_at < $1)
                        order by created_at limit 1 for update skip locked""")
                .execute(Tuple.of(
                        Instant.now().minus(STALE).atOffset(ZoneOffset.UTC),
                        Instant.now().minus(settle).atOffset(ZoneOffset.UTC)))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Uni.createFrom().nullItem();
                    }
                    UUID id = rows.iterator().next().getUUID(0);
                    return conn.preparedQuery("update tag_jobs set status = 'running', heartbeat_at = $2 where id = $1")
                            .execute(Tuple.of(id, Instant.now().atOffset(ZoneOffset.UTC)))
                            .replaceWith(id);
                }));
    }

    /** Recomputes the job's next page; emits whether the job is done. */
    private Uni<Boolean> page(UUID id) {
        Instant now = Instant.now();
        return pool.withTransaction(conn -> conn.preparedQuery(
                                "select tenant, cursor_id, status from tag_jobs where id = $1 for update")
                        .execute(Tuple.of(id))
                        .chain(rows -> {
                            Row job = rows.iterator().next();
                            if ("done".equals(job.getString(2))) {
                                return Uni.createFrom().item(true);
                            }
                            String tenant = job.getString(0);
                            UUID cursor = job.getUUID(1);
                            return conn.preparedQuery("""
                                            select id from profiles where tenant = $1 and ($2::uuid is null or id > $2)
                                            order by id limit $3""")
                                    .execute(Tuple.of(tenant, cursor, config.recomputePage()))
                                    .chain(page -> {
                                        List<UUID> ids = new ArrayList<>();
                                        page.forEach(r -> ids.add(r.getUUID(0)));
                                        boolean last = ids.size() < config.recomputePage();
                                        return catalogs.load(conn, tenant)
                                                .chain(catalog -> rewriter.rewrite(
                                                        conn, tenant, catalog, ids, true, (p, s) -> {}, now))
                                                .chain(outcome -> conn.preparedQuery("""
                                                                update tag_jobs set cursor_id = $2, profiles = profiles + $3,
                                                                    changed = changed + $4, heartbeat_at = $5,
                                                                    status = $6, finished_at = $7
                                                                where id = $1""")
                                                        .execute(Tuple.from(new Object[] {
                                                            id,
                                                            ids.isEmpty() ? cursor : ids.get(ids.size() - 1),
                                                            (long) outcome.profiles(),
                                                            (long) outcome.changed(),
                                                            now.atOffset(ZoneOffset.UTC),
                                                            last ? "done" : "running",
                                                            last ? now.atOffset(ZoneOffset.UTC) : null
                                                        }))
                                                        .invoke(() -> registry.counter(
                                                                        "strata_profile_tag_recomputed_total")
                                                                .increment(outcome.changed()))
                                                        .replaceWith(last));
                                    });
                        }))
                .invoke(relay::wake);
    }

    private static Job job(Row row) {
        OffsetDateTime finished = row.getOffsetDateTime(7);
        return new Job(
                row.getUUID(0),
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getLong(4),
                row.getLong(5),
                row.getOffsetDateTime(6).toInstant(),
                finished == null ? null : finished.toInstant());
    }
}
