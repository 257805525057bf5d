package io.strata.campaign.service;

import static io.strata.campaign.repository.Db.instant;

import com.google.protobuf.Timestamp;
import io.micrometer.core.instrument.MeterRegistry;
import io.strata.campaign.client.Profiles;
import io.strata.campaign.repository.Db;
import io.strata.proto.profile.v1.ConsentUpdate;
import io.strata.proto.profile.v1.ProfileRef;
import io.strata.proto.profile.v1.RefusedRow;
import io.strata.proto.profile.v1.TagAssignment;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Relays to profile-service what it owns: the tag updates journeys made ({@code tag_updates}) and the
 * opt-outs people replied ({@code consent_updates}), both written in the transaction of the step or
 * reply that made them. A round takes the oldest rows, calls profile-service, and deletes the rows
 * it applied, keeping those it refused with the reason; a failed call rolls the round back and it
 * is tried again. One replica relays at a time (a transaction-level advisory lock), so updates reach
 * profile-service in the order they were made.
 */
public final class ProfileRelay {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ProfileRelay.class);

    /** The advisory lock of the relay, one round at a time across replicas. */
    private static final long LOCK = 0x7374726174614c52L;

    private final Db db;
    private final Profiles profiles;
    private final MeterRegistry registry;

    public ProfileRelay(Db db, Profiles profiles, MeterRegistry registry) {
        this.db = db;
        this.profiles = profiles;
        this.registry = registry;
    }

    private record Pending(long id, String tenant, String profileId, String key, Row row) {}

    /**
     * One round; returns how many rows it relayed or kept as refused. Tags and consents are relayed
     * in transactions of their own, so a failing call of one holds up none of the other.
     */
    public int round(int batch) {
        int tags = db.inTransaction(s -> mine(s) ? tags(s, batch) : 0);
        int consents = db.inTransaction(s -> mine(s) ? consents(s, batch) : 0);
        return Math.max(tags, consents);
    }

    private static boolean mine(Db.Session s) {
        return s.query("select pg_try_advisory_xact_lock($1)", Tuple.of(LOCK))
                .iterator()
                .next()
                .getBoolean(0);
    }

    /**
     * profile-service's answer to a group, or — when it refuses the whole call for good (an unknown
     * or manual tag, a tenant it does not know) — that refusal for every row; a call that may pass
     * later (unavailable, a timeout) throws and the round is tried again.
     */
    private static List<RefusedRow> call(int rows, java.util.function.Supplier<List<RefusedRow>> call) {
        try {
            return call.get();
        } catch (io.grpc.StatusRuntimeException e) {
            var code = e.getStatus().getCode();
            if (code != io.grpc.Status.Code.INVALID_ARGUMENT
                    && code != io.grpc.Status.Code.NOT_FOUND
                    && code != io.grpc.Status.Code.FAILED_PRECONDITION
                    && code != io.grpc.Status.Code.PERMISSION_DENIED) {
                throw e;
            }
            var all = new ArrayList<RefusedRow>();
            for (int i = 0; i < rows; i++) {
                all.add(RefusedRow.newBuilder()
                        .setRow(i)
                        .setField(code.name())
                        .setReason(String.valueOf(e.getStatus().getDescription()))
                        .build());
            }
            return all;
        }
    }

    private int tags(Db.Session s, int batch) {
        var groups = claim(
                s,
                "select id, tenant, profile_id, tag as key, value from tag_updates where refused is null order by id"
                        + " limit $1",
                batch);
        var done = new ArrayList<Long>();
        var refused = new ArrayList<Tuple>();
        for (var group : groups.entrySet()) {
            var rows = group.getValue();
            var assignments = new ArrayList<TagAssignment>();
            for (Pending p : rows) {
                String value = p.row().getString("value");
                var a = TagAssignment.newBuilder()
                        .setProfile(ProfileRef.newBuilder().setProfileId(p.profileId()));
                assignments.add(
                        value == null
                                ? a.setRemove(true).build()
                                : a.setValue(value).build());
            }
            List<RefusedRow> answer = call(
                    rows.size(),
                    () -> profiles.setTags(rows.get(0).tenant(), rows.get(0).key(), assignments));
            sort(rows, answer, done, refused, "tag " + rows.get(0).key());
        }
        s.query("delete from tag_updates where id = any($1)", Tuple.of(done.toArray(Long[]::new)));
        s.batch("update tag_updates set refused = $2 where id = $1", refused);
        count("tags", done.size(), refused.size());
        return done.size() + refused.size();
    }

    private int consents(Db.Session s, int batch) {
        var groups = claim(
                s,
                "select id, tenant, profile_id, '' as key, channel, purpose, sender, granted, source, at"
                        + " from consent_updates where refused is null order by id limit $1",
                batch);
        var done = new ArrayList<Long>();
        var refused = new ArrayList<Tuple>();
        for (var group : groups.entrySet()) {
            var rows = group.getValue();
            var updates = new ArrayList<ConsentUpdate>();
            for (Pending p : rows) {
                Instant at = instant(p.row(), "at");
                updates.add(ConsentUpdate.newBuilder()
                        .setProfile(ProfileRef.newBuilder().setProfileId(p.profileId()))
                        .setChannel(p.row().getString("channel"))
                        .setPurpose(p.row().getString("purpose"))
                        .setSender(p.row().getString("sender"))
                        .setGranted(p.row().getBoolean("granted"))
                        .setSource(p.row().getString("source"))
                        .setAt(Timestamp.newBuilder()
                                .setSeconds(at.getEpochSecond())
                                .setNanos(at.getNano()))
                        .build());
            }
            List<RefusedRow> answer =
                    call(rows.size(), () -> profiles.setConsents(rows.get(0).tenant(), updates));
            sort(rows, answer, done, refused, "consent");
        }
        s.query("delete from consent_updates where id = any($1)", Tuple.of(done.toArray(Long[]::new)));
        s.batch("update consent_updates set refused = $2 where id = $1", refused);
        count("consents", done.size(), refused.size());
        return done.size() + refused.size();
    }

    /** The oldest rows, locked, grouped by tenant and key in their order. */
    private static Map<List<String>, List<Pending>> claim(Db.Session s, String sql, int batch) {
        var groups = new LinkedHashMap<List<String>, List<Pending>>();
        for (Row row : s.query(sql + " for update skip locked", Tuple.of(batch))) {
            var p = new Pending(
                    row.getLong("id"), row.getString("tenant"), row.getString("profile_id"), row.getString("key"), row);
            groups.computeIfAbsent(List.of(p.tenant(), p.key()), k -> new ArrayList<>())
                    .add(p);
        }
        return groups;
    }

    private static void sort(
            List<Pending> rows, List<RefusedRow> answer, List<Long> done, List<Tuple> refused, String what) {
        var refusedAt = new java.util.HashMap<Integer, String>();
        answer.forEach(r -> refusedAt.put(r.getRow(), r.getField() + ": " + r.getReason()));
        for (int i = 0; i < rows.size(); i++) {
            Pending p = rows.get(i);
            String reason = refusedAt.get(i);
            if (reason == null) {
                done.add(p.id());
            } else {
                LOG.warnf("profile-service refused %s of profile %s (%s): %s", what, p.profileId(), p.tenant(), reason);
                refused.add(Tuple.of(p.id(), reason));
            }
        }
    }

    private void count(String what, int relayed, int refused) {
        if (relayed > 0) {
            registry.counter("strata_campaign_relayed_total", "kind", what, "outcome", "applied")
                    .increment(relayed);
        }
        if (refused > 0) {
            registry.counter("strata_campaign_relayed_total", "kind", what, "outcome", "refused")
                    .increment(refused);
        }
    }
}
