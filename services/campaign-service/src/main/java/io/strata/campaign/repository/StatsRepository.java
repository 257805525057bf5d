package io.strata.campaign.repository;

import static io.strata.campaign.repository.Db.instant;
import static io.strata.campaign.repository.Db.ts;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** What journeys did: counts per version and node, instances, histories, arms. */
public final class StatsRepository {

    private StatsRepository() {}

    /** A count of a group of rows: its keys and the totals. */
    public record Count(int version, String a, String b, long total, long profiles) {}

    /** Arrivals and departures per version and node: totals and unique profiles. */
    public static List<Count> moves(Db.Session s, String tenant, String key, int version) {
        return counts(
                s,
                "select version, node, 'arrived', count(*), count(distinct profile_id) from journey_history"
                        + " where tenant = $1 and journey_key = $2 and kind in ('entered', 'moved') and ($3 = 0 or"
                        + " version = $3) group by 1, 2 union all select version, case when kind = 'moved' then"
                        + " from_node else node end, 'left', count(*), count(distinct profile_id) from journey_history"
                        + " where tenant = $1 and journey_key = $2 and kind in ('moved', 'ended') and ($3 = 0 or"
                        + " version = $3) group by 1, 2",
                Tuple.of(tenant, key, version));
    }

    /** Active instances per version and node. */
    public static List<Count> waiting(Db.Session s, String tenant, String key, int version) {
        return counts(
                s,
                "select version, node, '', count(*), count(distinct profile_id) from instances where tenant = $1"
                        + " and journey_key = $2 and status = 'ACTIVE' and ($3 = 0 or version = $3) group by 1, 2",
                Tuple.of(tenant, key, version));
    }

    /** Instances per version and status. */
    public static List<Count> statuses(Db.Session s, String tenant, String key, int version) {
        return counts(
                s,
                "select version, status, '', count(*), count(distinct profile_id) from instances where tenant = $1"
                        + " and journey_key = $2 and ($3 = 0 or version = $3) group by 1, 2",
                Tuple.of(tenant, key, version));
    }

    /** Messages per version, status and reason. */
    public static List<Count> messages(Db.Session s, String tenant, String key, int version) {
        return counts(
                s,
                "select version, status, coalesce(reason, ''), count(*), count(distinct profile_id) from send_ledger"
                        + " where tenant = $1 and journey_key = $2 and ($3 = 0 or version = $3) group by 1, 2, 3",
                Tuple.of(tenant, key, version));
    }

    /** Converted instances per version, goal and arm. */
    public static List<Count> conversions(Db.Session s, String tenant, String key, int version) {
        return counts(
                s,
                "select version, detail, coalesce(arm, ''), count(distinct instance_id), count(distinct profile_id)"
                        + " from journey_history where tenant = $1 and journey_key = $2 and kind = 'converted'"
                        + " and ($3 = 0 or version = $3) group by 1, 2, 3",
                Tuple.of(tenant, key, version));
    }

    /** Instances assigned per version, split node and arm. */
    public static List<Count> assignments(Db.Session s, String tenant, String key, int version) {
        return counts(
                s,
                "select version, node, arm, count(distinct instance_id), count(distinct profile_id) from journey_history"
                        + " where tenant = $1 and journey_key = $2 and kind = 'assigned' and ($3 = 0 or version = $3)"
                        + " group by 1, 2, 3",
                Tuple.of(tenant, key, version));
    }

    /** An instance as listed. */
    public record InstanceRow(
            String id,
            String journeyKey,
            int version,
            String profileId,
            String status,
            String node,
            Instant enteredAt,
            Instant arrivedAt,
            Optional<String> arm,
            Optional<Instant> wakeAt,
            Optional<Instant> endedAt,
            Optional<String> endReason) {}

    /** A journey's instances, newest first, after the {@code (enteredAt, id)} of the page before. */
    public static List<InstanceRow> instances(
            Db.Session s,
            String tenant,
            String key,
            String node,
            List<String> statuses,
            Optional<Instant> afterEntered,
            Optional<String> afterId,
            int limit) {
        var rows = new ArrayList<InstanceRow>();
        for (Row row : s.query(
                "select * from instances where tenant = $1 and journey_key = $2 and ($3 = '' or (node = $3 and status"
                        + " = 'ACTIVE')) and (cardinality($4::text[]) = 0 or status = any($4::text[]))"
                        + " and ($5::timestamptz is null or (entered_at, id) < ($5::timestamptz, $6::uuid))"
                        + " order by entered_at desc, id desc limit $7",
                Tuple.from(java.util.Arrays.asList(
                        tenant,
                        key,
                        node,
                        statuses.toArray(String[]::new),
                        ts(afterEntered.orElse(null)),
                        afterId.map(UUID::fromString).orElse(null),
                        limit)))) {
            rows.add(instance(row));
        }
        return rows;
    }

    public static List<InstanceRow> profileInstances(Db.Session s, String tenant, String profileId) {
        var rows = new ArrayList<InstanceRow>();
        for (Row row : s.query(
                "select * from instances where tenant = $1 and profile_id = $2 order by entered_at, id limit 1000",
                Tuple.of(tenant, profileId))) {
            rows.add(instance(row));
        }
        return rows;
    }

    public record StepRow(
            String instanceId,
            String journeyKey,
            int version,
            String node,
            String fromNode,
            String kind,
            String arm,
            String detail,
            Instant at) {}

    /** A profile's latest 1,000 steps, oldest first. */
    public static List<StepRow> profileSteps(Db.Session s, String tenant, String profileId) {
        var rows = new ArrayList<StepRow>();
        for (Row row : s.query(
                "select * from (select * from journey_history where tenant = $1 and profile_id = $2 order by id desc"
                        + " limit 1000) h order by id",
                Tuple.of(tenant, profileId))) {
            rows.add(new StepRow(
                    row.getUUID("instance_id").toString(),
                    row.getString("journey_key"),
                    row.getInteger("version"),
                    row.getString("node"),
                    row.getString("from_node"),
                    row.getString("kind"),
                    row.getString("arm"),
                    row.getString("detail"),
                    instant(row, "at")));
        }
        return rows;
    }

    /** Ends a journey's running instances (it was archived); returns how many. */
    public static long endAll(Db.Session s, String tenant, String key, String reason, Instant at) {
        var ended = s.query(
                "update instances set status = 'EXITED', end_reason = $3, ended_at = $4, wake_at = null where tenant = $1"
                        + " and journey_key = $2 and status = 'ACTIVE' returning id, profile_id, version, node",
                Tuple.of(tenant, key, reason, ts(at)));
        var history = new ArrayList<Tuple>();
        for (Row row : ended) {
            history.add(Tuple.from(java.util.Arrays.asList(
                    tenant,
                    row.getUUID("id"),
                    row.getString("profile_id"),
                    key,
                    row.getInteger("version"),
                    row.getString("node"),
                    "ended",
                    "exited: " + reason,
                    ts(at))));
        }
        s.batch(
                "insert into journey_history (tenant, instance_id, profile_id, journey_key, version, node, kind, detail,"
                        + " at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                history);
        return ended.rowCount();
    }

    private static InstanceRow instance(Row row) {
        return new InstanceRow(
                row.getUUID("id").toString(),
                row.getString("journey_key"),
                row.getInteger("version"),
                row.getString("profile_id"),
                row.getString("status"),
                row.getString("node"),
                instant(row, "entered_at"),
                instant(row, "arrived_at"),
                Optional.ofNullable(row.getString("arm")),
                Optional.ofNullable(instant(row, "wake_at")),
                Optional.ofNullable(instant(row, "ended_at")),
                Optional.ofNullable(row.getString("end_reason")));
    }

    private static List<Count> counts(Db.Session s, String sql, Tuple args) {
        var out = new ArrayList<Count>();
        for (Row row : s.query(sql, args)) {
            out.add(new Count(row.getInteger(0), row.getString(1), row.getString(2), row.getLong(3), row.getLong(4)));
        }
        return out;
    }
}
