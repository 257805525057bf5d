package io.strata.profile.identity;

import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.repository.ProfileGraphRepository;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A profile's merges and the merges and identifiers the tenant's limits refused it. */
@ApplicationScoped
public class MergeHistory {

    /** At most this many merges and refusals are listed (the newest). */
    public static final int MAX_ROWS = 500;

    private final Pool pool;

    public MergeHistory(Pool pool) {
        this.pool = pool;
    }

    public record Merge(
            UUID merged, UUID into, List<IdentityKey> identities, Instant at, Instant unmergedAt, String unmergedBy) {}

    public record Refusal(IdentityKey identity, UUID other, String reason, long times, Instant first, Instant last) {}

    /** {@code profile}: the profile the id resolves to; {@code null} when there is none. */
    public record History(UUID profile, List<Merge> merges, List<Refusal> refusals) {}

    public Uni<History> of(String tenant, UUID id) {
        return pool.preparedQuery("""
                        select coalesce((select into_id from profile_merges where tenant = $1 and merged_id = $2), $2),
                               exists (select 1 from profiles where tenant = $1 and id = coalesce(
                                   (select into_id from profile_merges where tenant = $1 and merged_id = $2), $2))""").execute(Tuple.of(tenant, id)).chain(rows -> {
            Row row = rows.iterator().next();
            if (!row.getBoolean(1)) {
                return Uni.createFrom().item(new History(null, List.of(), List.of()));
            }
            UUID profile = row.getUUID(0);
            Uni<List<Merge>> merges = pool.preparedQuery("""
                                    select merged_id, into_id, cast(identities as text), merged_at, unmerged_at, unmerged_by
                                    from profile_merge_history
                                    where tenant = $1 and (into_id = $2 or merged_id = $2 or into_id in (
                                        select merged_id from profile_merges where tenant = $1 and into_id = $2))
                                    order by id desc limit $3""")
                    .execute(Tuple.of(tenant, profile, MAX_ROWS))
                    .map(found -> {
                        List<Merge> list = new ArrayList<>();
                        for (Row r : found) {
                            list.add(new Merge(
                                    r.getUUID(0),
                                    r.getUUID(1),
                                    ProfileGraphRepository.identities(r.getString(2)),
                                    instant(r.getOffsetDateTime(3)),
                                    instant(r.getOffsetDateTime(4)),
                                    r.getString(5)));
                        }
                        return list;
                    });
            Uni<List<Refusal>> refusals = pool.preparedQuery("""
                                    select type, value, other_profile_id, reason, times, first_at, last_at
                                    from identity_refusals
                                    where tenant = $1 and profile_id in (select $2::uuid union all
                                        select merged_id from profile_merges where tenant = $1 and into_id = $2)
                                    order by last_at desc limit $3""")
                    .execute(Tuple.of(tenant, profile, MAX_ROWS))
                    .map(found -> {
                        List<Refusal> list = new ArrayList<>();
                        for (Row r : found) {
                            list.add(new Refusal(
                                    new IdentityKey(IdentityType.valueOf(r.getString(0)), r.getString(1)),
                                    r.getUUID(2),
                                    r.getString(3),
                                    r.getLong(4),
                                    instant(r.getOffsetDateTime(5)),
                                    instant(r.getOffsetDateTime(6))));
                        }
                        return list;
                    });
            return Uni.combine()
                    .all()
                    .unis(merges, refusals)
                    .asTuple()
                    .map(t -> new History(profile, t.getItem1(), t.getItem2()));
        });
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
