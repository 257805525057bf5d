package io.strata.insight.service;

import io.strata.insight.config.InsightConfig;
import io.strata.insight.query.Dimensions;
import io.strata.insight.query.FeatureIndex;
import io.strata.insight.store.EventStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each tenant's feature index, built from the store when first asked for and again when the store
 * has changed since and the index is older than {@code strata.insight.tgi.refresh}: TGI answers
 * from bitmaps at most that stale, and a busy feed does not rebuild them on every query.
 */
@ApplicationScoped
public class FeatureIndexes {

    /** One index per tenant: of the partitions it was built over (null: all). */
    private record Built(FeatureIndex index, long generation, Set<Integer> partitions) {}

    private final EventStore store;
    private final InsightConfig config;
    private final Map<String, Built> built = new ConcurrentHashMap<>();

    public FeatureIndexes(EventStore store, InsightConfig config) {
        this.store = store;
        this.config = config;
    }

    public synchronized FeatureIndex get(String tenant, Connection query) throws SQLException {
        return get(tenant, null, query);
    }

    /**
     * The index of the tenant's profiles on these partitions (null: all the store holds), over a
     * connection of {@code EventStore.openQuery(partitions)}.
     */
    public synchronized FeatureIndex get(String tenant, Collection<Integer> partitions, Connection query)
            throws SQLException {
        long generation = store.generation();
        Set<Integer> over = partitions == null ? null : Set.copyOf(partitions);
        Built current = built.get(tenant);
        if (current == null
                || !Objects.equals(current.partitions(), over)
                || (current.generation() != generation
                        && !current.index()
                                .builtAt()
                                .plus(config.tgi().refresh())
                                .isAfter(Instant.now()))) {
            current = new Built(FeatureIndex.build(query, tenant, Dimensions.ALL), generation, over);
            built.put(tenant, current);
        }
        return current.index();
    }
}
