package io.strata.insight.service;

import io.quarkus.runtime.StartupEvent;
import io.strata.insight.repository.CostRepository;
import io.strata.insight.store.EventStore;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Costs a store of an earlier version kept in its own metadata move, once, to the service's
 * database (where every replica reads them): taken where the database has nothing for the same day,
 * channel and creator, then dropped from the store. A start that fails half-way takes them again.
 */
@Singleton
public class LegacyCosts {

    private static final Logger LOG = Logger.getLogger(LegacyCosts.class);

    private final EventStore store;
    private final CostRepository costs;

    public LegacyCosts(EventStore store, CostRepository costs) {
        this.store = store;
        this.costs = costs;
    }

    void onStart(@Observes StartupEvent event) throws SQLException {
        List<EventStore.LegacyCost> rows = store.legacyCosts();
        if (!rows.isEmpty()) {
            Map<String, List<CostRepository.Cost>> byTenant = new LinkedHashMap<>();
            for (EventStore.LegacyCost row : rows) {
                byTenant.computeIfAbsent(row.tenant(), t -> new ArrayList<>())
                        .add(new CostRepository.Cost(row.day(), row.channel(), row.creator(), row.cost()));
            }
            int taken = costs.adopt(byTenant).await().atMost(Duration.ofMinutes(1));
            LOG.infof(
                    "the store's %d cost rows moved to the service's database (%d taken, the rest held newer ones)",
                    rows.size(), taken);
        }
        store.dropLegacyCosts();
    }
}
