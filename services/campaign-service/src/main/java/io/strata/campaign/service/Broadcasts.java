package io.strata.campaign.service;

import static io.strata.campaign.repository.Db.instant;
import static io.strata.campaign.repository.Db.ts;

import io.strata.campaign.repository.Db;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs broadcasts: a published version of a journey whose trigger is {@code broadcast} starts every
 * member of its audience at its time. A round takes one due run under a lease, starts a page of
 * members (in profile id order, after the run's cursor) through the journey runtime, and moves the
 * cursor; a replica that dies mid-page leaves the lease to run out and another redoes the page,
 * which starts nobody twice (entries are keyed). Members are those campaign-service knows from the
 * membership feed at the time the page is read.
 */
public final class Broadcasts {

    private static final Duration LEASE = Duration.ofMinutes(2);

    private final Db db;
    private final JourneyRuntime runtime;
    private final Clock clock;

    public Broadcasts(Db db, JourneyRuntime runtime, Clock clock) {
        this.db = db;
        this.runtime = runtime;
        this.clock = clock;
    }

    /** Schedules the broadcast of a version just published (in the publishing transaction). */
    public static void schedule(Db.Session s, String tenant, String key, int version, String audience, Instant at) {
        s.query(
                "insert into broadcast_runs (tenant, journey_key, version, audience, scheduled_at, status) values ($1,"
                        + " $2, $3, $4, $5, 'scheduled') on conflict do nothing",
                Tuple.of(tenant, key, version, audience, ts(at)));
    }

    /**
     * A new version was published: an earlier version's broadcast not done yet stops (its entries
     * would start on the new version); called for every publish, whatever the new trigger.
     */
    public static void supersede(Db.Session s, String tenant, String key, int version) {
        s.query(
                "update broadcast_runs set status = 'cancelled', finished_at = now(), lease_until = null where tenant = $1"
                        + " and journey_key = $2 and version < $3 and status in ('scheduled', 'running')",
                Tuple.of(tenant, key, version));
    }

    /** A run as the API shows it. */
    public record Run(
            String tenant,
            String journeyKey,
            int version,
            String audience,
            Instant scheduledAt,
            String status,
            int members,
            int started,
            Optional<Instant> startedAt,
            Optional<Instant> finishedAt) {}

    public static List<Run> list(Db.Session s, String tenant) {
        var out = new ArrayList<Run>();
        for (Row row : s.query(
                "select * from broadcast_runs where tenant = $1 order by scheduled_at desc, journey_key limit 500",
                Tuple.of(tenant))) {
            out.add(new Run(
                    tenant,
                    row.getString("journey_key"),
                    row.getInteger("version"),
                    row.getString("audience"),
                    instant(row, "scheduled_at"),
                    row.getString("status"),
                    row.getInteger("members"),
                    row.getInteger("started"),
                    Optional.ofNullable(instant(row, "started_at")),
                    Optional.ofNullable(instant(row, "finished_at"))));
        }
        return out;
    }

    private record Claimed(
            String tenant, String key, int version, String audience, Instant at, String cursor, Instant lease) {}

    /** One page of one due broadcast; returns how many members it looked at. */
    public int round(int page) {
        Instant wall = clock.instant();
        Optional<Claimed> claimed = db.inTransaction(s -> {
            // due by its tenant's clock (held or the wall clock), and not leased by another replica
            for (Row row : s.query(
                    "update broadcast_runs r set status = 'running', lease_until = $1, started_at = coalesce(started_at,"
                            + " now()) where (tenant, journey_key, version) = (select b.tenant, b.journey_key, b.version"
                            + " from broadcast_runs b join journeys j on j.tenant = b.tenant and j.key = b.journey_key"
                            + " and j.status = 'published' and j.live_version = b.version"
                            + " left join journey_clocks c on c.tenant = b.tenant"
                            + " where b.status in ('scheduled', 'running') and b.scheduled_at <= coalesce(c.held_at, $2)"
                            + " and (b.lease_until is null or b.lease_until < $2) order by b.scheduled_at limit 1"
                            + " for update of b skip locked) returning r.*",
                    Tuple.of(ts(wall.plus(LEASE)), ts(wall)))) {
                return Optional.of(new Claimed(
                        row.getString("tenant"),
                        row.getString("journey_key"),
                        row.getInteger("version"),
                        row.getString("audience"),
                        instant(row, "scheduled_at"),
                        row.getString("cursor"),
                        instant(row, "lease_until")));
            }
            return Optional.<Claimed>empty();
        });
        if (claimed.isEmpty()) {
            return 0;
        }
        Claimed run = claimed.get();
        var members = new ArrayList<String>();
        for (Row row : db.query(
                "select profile_id from recipients where tenant = $1 and audiences @> array[$2]::text[] and not deleted"
                        + " and profile_id > $3 order by profile_id limit $4",
                Tuple.of(run.tenant(), run.audience(), run.cursor(), page))) {
            members.add(row.getString(0));
        }
        int started = 0;
        if (!members.isEmpty()) {
            var starts = new ArrayList<Signal>();
            String entryKey = "broadcast:" + run.key() + "@" + run.version();
            members.forEach(p -> starts.add(new Signal.Start(p, run.key(), entryKey, run.at())));
            started = runtime.handle(run.tenant(), starts).started();
        }
        boolean done = members.size() < page;
        int count = started;
        db.inTransaction(s -> s.query(
                "update broadcast_runs set cursor = $4, members = members + $5, started = started + $6,"
                        + " lease_until = null, status = $7, finished_at = case when $7 = 'done' then now() end"
                        + " where tenant = $1 and journey_key = $2 and version = $3"
                        // still this replica's (not cancelled meanwhile, nor taken over after the lease)
                        + " and status = 'running' and lease_until = $8",
                Tuple.from(List.of(
                        run.tenant(),
                        run.key(),
                        run.version(),
                        members.isEmpty() ? run.cursor() : members.get(members.size() - 1),
                        members.size(),
                        count,
                        done ? "done" : "running",
                        ts(run.lease())))));
        return Math.max(1, members.size());
    }
}
