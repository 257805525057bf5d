package io.strata.profile.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.domain.IdentityRules;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Every tenant's identity rules ({@code identity_rules}; none stored: {@link IdentityRules#DEFAULT}),
 * cached for a short while ({@code strata.profile.identity.rules-ttl}; a change made on this replica
 * is seen at once).
 */
@ApplicationScoped
public class IdentityRuleStore {

    private static final Logger LOG = Logger.getLogger(IdentityRuleStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Pool pool;
    private final Duration ttl;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(long loadedAt, IdentityRules rules) {}

    /** Stored rules with their version (0: never set), when and by whom they were last set. */
    public record Stored(IdentityRules rules, long version, Instant updatedAt, String updatedBy) {}

    public IdentityRuleStore(Pool pool, ProfileConfig config) {
        this.pool = pool;
        this.ttl = config.identity().rulesTtl();
    }

    /** The tenant's rules (cached). */
    public Uni<IdentityRules> get(String tenant) {
        Cached cached = cache.get(tenant);
        if (cached != null && System.nanoTime() - cached.loadedAt < ttl.toNanos()) {
            return Uni.createFrom().item(cached.rules);
        }
        return load(pool, tenant)
                .map(Stored::rules)
                .invoke(rules -> cache.put(tenant, new Cached(System.nanoTime(), rules)));
    }

    /** The tenant's rules as stored (not cached). */
    public Uni<Stored> stored(String tenant) {
        return load(pool, tenant);
    }

    /** The tenant's rules as {@code client} sees them. */
    public Uni<Stored> load(SqlClient client, String tenant) {
        return client.preparedQuery(
                        "select cast(rules as text), version, updated_at, updated_by from identity_rules where tenant = $1")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return new Stored(IdentityRules.DEFAULT, 0, null, null);
                    }
                    Row row = rows.iterator().next();
                    IdentityRules rules;
                    try {
                        rules = IdentityRules.parse(JSON.readTree(row.getString(0)));
                    } catch (IOException | IllegalArgumentException e) {
                        // the rules were checked when they were written
                        LOG.errorf("tenant %s: the stored identity rules cannot be read: %s", tenant, e.getMessage());
                        rules = IdentityRules.DEFAULT;
                    }
                    return new Stored(
                            rules, row.getLong(1), row.getOffsetDateTime(2).toInstant(), row.getString(3));
                });
    }

    /**
     * Replaces the tenant's rules; with {@code expectedVersion} ≥ 0 only if they are at that version.
     * Emits the stored rules, or {@code null} when they were at another version.
     */
    public Uni<Stored> save(String tenant, IdentityRules rules, long expectedVersion, String actor, Instant now) {
        // no version named: insert or replace; version 0: only if never set; else only at that version
        String sql = expectedVersion > 0 ? """
                        update identity_rules set rules = cast($2::text as jsonb), version = version + 1,
                            updated_at = $3, updated_by = $4
                        where tenant = $1 and version = $5
                        returning version""" : """
                        insert into identity_rules (tenant, rules, version, updated_at, updated_by)
                        values ($1, cast($2::text as jsonb), 1, $3, $4)
                        on conflict (tenant) do update set
                            rules = excluded.rules,
                            version = identity_rules.version + 1,
                            updated_at = excluded.updated_at,
                            updated_by = excluded.updated_by
                        where $5 < 0
                        returning version""";
        return pool.preparedQuery(sql)
                .execute(Tuple.of(
                        tenant, rules.toJson().toString(), now.atOffset(ZoneOffset.UTC), actor, expectedVersion))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    cache.remove(tenant);
                    return new Stored(rules, rows.iterator().next().getLong(0), now, actor);
                });
    }
}
