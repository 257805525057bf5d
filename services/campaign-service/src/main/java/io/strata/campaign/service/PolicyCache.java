package io.strata.campaign.service;

import io.strata.campaign.domain.TenantPolicy;
import io.strata.campaign.mapping.PolicyJson;
import io.strata.campaign.repository.Db;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Each tenant's send policy (its own, else the defaults), read again every few seconds. */
public final class PolicyCache {

    static final Duration REFRESH = Duration.ofSeconds(5);

    private record Entry(TenantPolicy policy, long loadedAt) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public TenantPolicy get(Db.Session s, String tenant) {
        Entry e = entries.get(tenant);
        long now = System.nanoTime();
        if (e == null || now - e.loadedAt() > REFRESH.toNanos()) {
            TenantPolicy policy = TenantPolicy.defaults();
            for (Row row : s.query("select policy from send_policies where tenant = $1", Tuple.of(tenant))) {
                // stored policies were validated when set
                policy = PolicyJson.parse(row.getValue("policy").toString())
                        .policy()
                        .orElse(policy);
            }
            e = new Entry(policy, now);
            entries.put(tenant, e);
        }
        return e.policy();
    }

    public void invalidate(String tenant) {
        entries.remove(tenant);
    }
}
