package io.strata.ingestion.service;

import io.strata.ingestion.config.IngestionConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** Each tenant's quotas: its own where the operator set them, else the default. */
@ApplicationScoped
public class TenantQuotas {

    private final IngestionConfig.Tenants config;

    public TenantQuotas(IngestionConfig config) {
        this.config = config.tenants();
    }

    /** Events per second of all the tenant's sources together (per replica). */
    public int eventsPerSecond(String tenant) {
        var own = config.quotas().get(tenant);
        return own != null && own.eventsPerSecond().isPresent()
                ? own.eventsPerSecond().getAsInt()
                : config.eventsPerSecond();
    }

    /** History imports the tenant may run at once (per replica). */
    public int importSlots(String tenant) {
        var own = config.quotas().get(tenant);
        return own != null && own.importSlots().isPresent() ? own.importSlots().getAsInt() : config.importSlots();
    }
}
