package io.strata.profile.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.domain.Behaviour;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileView;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Reads of profiles, on the reactive client; every query names the tenant. */
@ApplicationScoped
public class ProfileReadRepository {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Pool pool;
    private final ZoneId zone;
    private final Clock clock = Clock.systemUTC();

    public ProfileReadRepository(Pool pool, ProfileConfig config) {
        this.pool = pool;
        this.zone = config.timeZone();
    }

    private static Behaviour behaviour(String json) {
        try {
            return JSON.readValue(json, Behaviour.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a profile's behaviour is not readable: " + e.getOriginalMessage(), e);
        }
    }

    /** A profile with its identifiers and counts, in one query (one snapshot, one round trip). */
    private static final String PROFILE = """
            select p.id, cast(p.traits as text) as traits, cast(p.behaviour as text) as behaviour, p.version,
                   cast(p.tags as text) as tags, cast(p.consents as text) as consents,
                   p.first_seen, p.last_seen, p.created_at, p.updated_at,
                   (select array_agg(i.type order by i.id) from profile_identities i
                     where i.tenant = p.tenant and i.profile_id = p.id) as types,
                   (select array_agg(i.value order by i.id) from profile_identities i
                     where i.tenant = p.tenant and i.profile_id = p.id) as ident_values
            from profiles p
            """;

    /** The profile with its identifiers and counts, or a null item. */
    public Uni<ProfileView> find(String tenant, UUID id) {
        return pool.preparedQuery(PROFILE + " where p.tenant = $1 and p.id = $2")
                .execute(Tuple.of(tenant, id))
                .map(rows -> view(tenant, first(rows.iterator())));
    }

    /** The profile owning the identifier, with its identifiers and counts, or a null item. */
    public Uni<ProfileView> findByIdentity(String tenant, IdentityKey identity) {
        return pool.preparedQuery(PROFILE + """
                         join profile_identities o on o.tenant = p.tenant and o.profile_id = p.id
                        where o.tenant = $1 and o.type = $2 and o.value = $3""")
                .execute(Tuple.of(tenant, identity.type().name(), identity.value()))
                .map(rows -> view(tenant, first(rows.iterator())));
    }

    /** A filter of {@link #list}: a tag ("key" or "key=value"), known or not, seen since. */
    public record Filter(List<String[]> tags, Boolean known, Instant seenSince) {}

    /** Profiles after {@code after} (in id order) that pass the filter, at most {@code limit}. */
    public Uni<List<ProfileView>> list(String tenant, Filter filter, UUID after, int limit) {
        StringBuilder sql =
                new StringBuilder(PROFILE).append(" where p.tenant = $1 and ($2::uuid is null or p.id > $2)");
        List<Object> params = new ArrayList<>(List.of(tenant));
        params.add(after);
        for (String[] tag : filter.tags()) {
            params.add(tag[0]);
            int key = params.size();
            if (tag.length > 1) {
                params.add(tag[1]);
                sql.append(" and coalesce(p.tags -> 'r' ->> $" + key + ", p.tags -> 'o' -> $" + key + " ->> 'v') = $"
                        + params.size());
            } else {
                sql.append(" and (p.tags -> 'r' ? $" + key + " or p.tags -> 'o' ? $" + key + ")");
            }
        }
        if (filter.known() != null) {
            sql.append(filter.known() ? " and exists" : " and not exists").append("""
                     (select 1 from profile_identities k
                      where k.tenant = p.tenant and k.profile_id = p.id and k.type = 'USER_ID')""");
        }
        if (filter.seenSince() != null) {
            params.add(filter.seenSince().atOffset(java.time.ZoneOffset.UTC));
            sql.append(" and p.last_seen >= $").append(params.size());
        }
        params.add(limit);
        sql.append(" order by p.id limit $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
            List<ProfileView> out = new ArrayList<>();
            rows.forEach(r -> out.add(view(tenant, r)));
            return out;
        });
    }

    ProfileView view(String tenant, Row row) {
        if (row == null) {
            return null;
        }
        List<IdentityKey> identities = new ArrayList<>();
        String[] types = row.getArrayOfStrings("types");
        String[] values = row.getArrayOfStrings("ident_values");
        for (int i = 0; types != null && i < types.length; i++) {
            identities.add(new IdentityKey(IdentityType.valueOf(types[i]), values[i]));
        }
        Behaviour behaviour = behaviour(row.getString("behaviour"));
        // per event name, as the behaviour counts them (names in order)
        Map<String, Long> counts = new LinkedHashMap<>();
        behaviour.events.forEach((name, stats) -> counts.put(name, stats.n));
        return new ProfileView(
                row.getUUID("id"),
                tenant,
                row.getString("traits"),
                instant(row.getOffsetDateTime("first_seen")),
                instant(row.getOffsetDateTime("last_seen")),
                instant(row.getOffsetDateTime("created_at")),
                instant(row.getOffsetDateTime("updated_at")),
                identities,
                counts,
                behaviour,
                Behaviour.day(clock.instant(), zone),
                row.getLong("version"),
                row.getString("tags"),
                row.getString("consents"));
    }

    /** The profile a merged-away id now lives on, or a null item. */
    public Uni<UUID> mergedInto(String tenant, UUID id) {
        return pool.preparedQuery("select into_id from profile_merges where tenant = $1 and merged_id = $2")
                .execute(Tuple.of(tenant, id))
                .map(rows -> {
                    Row row = first(rows.iterator());
                    return row == null ? null : row.getUUID(0);
                });
    }

    private static Row first(RowIterator<Row> rows) {
        return rows.hasNext() ? rows.next() : null;
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
