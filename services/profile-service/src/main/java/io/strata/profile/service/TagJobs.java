package io.strata.profile.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.strata.platform.kafka.Keys;
import io.strata.platform.outbox.OutboxRecords;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.mapping.FeedMapper;
import io.strata.profile.messaging.OutboxRelay;
import io.strata.profile.repository.ProfileGraphRepository;
import io.strata.profile.tags.TagCatalogs;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
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
    private final ProfileGraphRepository graph;
    private final TagCatalogs catalogs;
    private final ProfileRewriter rewriter;
    private final OutboxRelay relay;
    private final ProfileConfig.Tags config;
    private final ProfileConfig.Feed feed;
    private final java.time.ZoneId zone;
    private final MeterRegistry registry;
    private final Duration settle;

    public TagJobs(
            Pool pool,
            ProfileGraphRepository graph,
            TagCatalogs catalogs,
            ProfileRewriter rewriter,
            OutboxRelay relay,
            ProfileConfig config,
            MeterRegistry registry) {
        this.pool = pool;
        this.graph = graph;
        this.feed = config.feed();
        this.zone = config.timeZone();
        this.catalogs = catalogs;
        this.rewriter = rewriter;
        this.relay = relay;
        this.config = config.tags();
        this.registry = registry;
        // every replica's cached catalog has the change by then (TagCatalogs), so no write with the
        // old rules follows the recompute of a profile
        this.settle = config.tags().catalogTtl().multipliedBy(2);
    }

    /** A job: a recompute of rule tags ({@code kind} "recompute") or a resend of every profile ("resend"). */
    public record Job(
            UUID id,
            String tenant,
            String kind,
            String status,
            String reason,
            long profiles,
            long changed,
            String requestedBy,
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
                .replaceWith(new Job(id, tenant, RECOMPUTE, "queued", reason, 0, 0, null, now, null));
    }

    static final String RECOMPUTE = "recompute";
    static final String RESEND = "resend";

    /** Queues a resend of every profile of the tenant, whole, on the change feed. */
    public Uni<Job> resend(String tenant, String by) {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now();
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        return pool.preparedQuery("""
                        insert into tag_jobs (id, tenant, kind, reason, requested_by, status, created_at, heartbeat_at)
                        values ($1, $2, 'resend', 'resend', $3, 'queued', $4, $4)""")
                .execute(Tuple.of(id, tenant, by, at))
                .replaceWith(new Job(id, tenant, RESEND, "queued", "resend", 0, 0, by, now, null));
    }

    public Uni<Job> create(String tenant, String reason) {
        return create(pool, tenant, reason, Instant.now());
    }

    /** The tenant's job, or a null item. */
    public Uni<Job> get(String tenant, UUID id) {
        return pool.preparedQuery("""
                        select id, tenant, status, reason, profiles, changed, created_at, finished_at, kind, requested_by
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
                        where (status = 'queued' and (kind = 'resend' or created_at < $2))
                           or (status = 'running' and heartbeat_at < $1)
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
                                "select tenant, cursor_id, status, kind from tag_jobs where id = $1 for update")
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
                                        Uni<ProfileRewriter.Outcome> work = RESEND.equals(job.getString(3))
                                                ? resendPage(conn, tenant, ids, now)
                                                : catalogs.load(conn, tenant)
                                                        .chain(catalog -> rewriter.rewrite(
                                                                conn, tenant, catalog, ids, true, (p, s) -> {}, now));
                                        return work.chain(outcome -> conn.preparedQuery("""
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
                                                                RESEND.equals(job.getString(3))
                                                                        ? "strata_profile_feed_resent_total"
                                                                        : "strata_profile_tag_recomputed_total")
                                                        .increment(outcome.changed()))
                                                .replaceWith(last));
                                    });
                        }))
                .invoke(relay::wake);
    }

    /**
     * Writes the whole of every profile of the page, at its version, to the outbox: no lock is
     * taken, a write committing meanwhile has the higher version, which consumers keep.
     */
    private Uni<ProfileRewriter.Outcome> resendPage(SqlConnection conn, String tenant, List<UUID> ids, Instant now) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(new ProfileRewriter.Outcome(0, 0));
        }
        return graph.contents(conn, tenant, new java.util.LinkedHashSet<>(ids))
                .chain(rows -> conn.preparedQuery("""
                                select profile_id, type, value from profile_identities
                                where tenant = $1 and profile_id = any($2::uuid[]) order by id""")
                        .execute(Tuple.of(tenant, ids.toArray(UUID[]::new)))
                        .chain(idRows -> {
                            java.util.Map<UUID, List<IdentityKey>> identities = new java.util.HashMap<>();
                            idRows.forEach(r -> identities
                                    .computeIfAbsent(r.getUUID(0), p -> new ArrayList<>())
                                    .add(new IdentityKey(IdentityType.valueOf(r.getString(1)), r.getString(2))));
                            OutboxRecords records = new OutboxRecords();
                            for (ProfileGraphRepository.StoredContents row : rows) {
                                var snapshot = FeedMapper.snapshot(
                                        ProfileRewriter.state(row, zone), identities.getOrDefault(row.id(), List.of()));
                                records.add(
                                        feed.profileChangesTopic(),
                                        Keys.profile(tenant, row.id().toString()),
                                        FeedMapper.resent(tenant, row.id(), row.version(), snapshot, now)
                                                .toByteArray());
                            }
                            return graph.outbox(conn, tenant, records.size(), records.encode())
                                    .replaceWith(new ProfileRewriter.Outcome(rows.size(), rows.size()));
                        }));
    }

    private static Job job(Row row) {
        OffsetDateTime finished = row.getOffsetDateTime(7);
        return new Job(
                row.getUUID(0),
                row.getString(1),
                row.getString(8),
                row.getString(2),
                row.getString(3),
                row.getLong(4),
                row.getLong(5),
                row.getString(9),
                row.getOffsetDateTime(6).toInstant(),
                finished == null ? null : finished.toInstant());
    }
}
