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

    /** The profile with its identifiers and counts, or a null item. */
    public Uni<ProfileView> find(String tenant, UUID id) {
        Tuple key = Tuple.of(tenant, id);
        Uni<Row> profile = pool.preparedQuery("""
                select cast(traits as text) as traits, cast(behaviour as text) as behaviour, version,
                       first_seen, last_seen, created_at, updated_at
                from profiles where tenant = $1 and id = $2""").execute(key).map(rows -> first(rows.iterator()));
        return profile.chain(row -> row == null
                ? Uni.createFrom().nullItem()
                : Uni.combine()
                        .all()
                        .unis(identities(key), counts(key))
                        .with((identities, counts) -> new ProfileView(
                                id,
                                tenant,
                                row.getString("traits"),
                                instant(row.getOffsetDateTime("first_seen")),
                                instant(row.getOffsetDateTime("last_seen")),
                                instant(row.getOffsetDateTime("created_at")),
                                instant(row.getOffsetDateTime("updated_at")),
                                identities,
                                counts,
                                behaviour(row.getString("behaviour")),
                                Behaviour.day(clock.instant(), zone),
                                row.getLong("version"))));
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

    /** The profile owning an identifier, or a null item. */
    public Uni<UUID> owner(String tenant, IdentityKey identity) {
        return pool.preparedQuery(
                        "select profile_id from profile_identities where tenant = $1 and type = $2 and value = $3")
                .execute(Tuple.of(tenant, identity.type().name(), identity.value()))
                .map(rows -> {
                    Row row = first(rows.iterator());
                    return row == null ? null : row.getUUID(0);
                });
    }

    private Uni<List<IdentityKey>> identities(Tuple key) {
        return pool.preparedQuery(
                        "select type, value from profile_identities where tenant = $1 and profile_id = $2 order by id")
                .execute(key)
                .map(rows -> {
                    List<IdentityKey> identities = new ArrayList<>();
                    for (Row row : rows) {
                        identities.add(new IdentityKey(IdentityType.valueOf(row.getString(0)), row.getString(1)));
                    }
                    return identities;
                });
    }

    private Uni<Map<String, Long>> counts(Tuple key) {
        return pool.preparedQuery("""
                select event_name, count from profile_event_counts
                where tenant = $1 and profile_id = $2 order by event_name""").execute(key).map(rows -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (Row row : rows) {
                counts.put(row.getString(0), row.getLong(1));
            }
            return counts;
        });
    }

    private static Row first(RowIterator<Row> rows) {
        return rows.hasNext() ? rows.next() : null;
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
