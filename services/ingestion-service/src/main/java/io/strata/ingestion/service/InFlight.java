package io.strata.ingestion.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.IngestionException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The work this replica holds: events accepted and not yet acknowledged by Kafka, counted in events
 * and in bytes, over all tenants and per tenant. Beyond the budget a request gets 503, and no tenant
 * may hold more than its share of it, so a tenant that floods the replica turns only itself away.
 */
// created at start, so its gauges are there before the first request
@Startup
@ApplicationScoped
public class InFlight {

    private static final long RETRY_AFTER_SECONDS = 1;

    /** What a request holds; given back once Kafka answered. */
    public record Hold(String tenant, long events, long bytes) {}

    private final long maxEvents;
    private final long maxBytes;
    private final long tenantEvents;
    private final long tenantBytes;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final Map<String, long[]> tenants = new ConcurrentHashMap<>();

    @Inject
    public InFlight(IngestionConfig config, MeterRegistry registry) {
        this(config.limits(), registry);
    }

    InFlight(IngestionConfig.Limits limits, MeterRegistry registry) {
        this.maxEvents = limits.maxInFlightEvents();
        this.maxBytes = limits.maxInFlightBytes();
        this.tenantEvents = (long) (limits.maxTenantShare() * maxEvents);
        this.tenantBytes = (long) (limits.maxTenantShare() * maxBytes);
        if (limits.maxBatchEvents() > tenantEvents || limits.maxExpandedRequestBytes() > tenantBytes) {
            throw new IllegalStateException("strata.ingestion.limits: a tenant's share of the in-flight budget ("
                    + tenantEvents + " events, " + tenantBytes + " bytes) must hold the largest request ("
                    + limits.maxBatchEvents() + " events, " + limits.maxExpandedRequestBytes() + " bytes)");
        }
        registry.gauge("strata_ingestion_events_in_flight", events);
        registry.gauge("strata_ingestion_bytes_in_flight", bytes);
    }

    /** @throws IngestionException (503) when the replica's budget or the tenant's share of it is used up */
    public Hold reserve(String tenant, long count, long size) {
        long[] mine = tenants.computeIfAbsent(tenant, t -> new long[2]);
        synchronized (mine) {
            if (mine[0] + count > tenantEvents || mine[1] + size > tenantBytes) {
                throw IngestionException.overloaded(
                        "the tenant has as many events in flight as it may; retry later", RETRY_AFTER_SECONDS);
            }
            // the replica's budget, each counter taken only when the request fits in it (not taken
            // and given back: two requests passing the limit together would both be refused)
            if (!take(events, count, maxEvents)) {
                throw IngestionException.overloaded("too many events in flight; retry later", RETRY_AFTER_SECONDS);
            }
            if (!take(bytes, size, maxBytes)) {
                events.addAndGet(-count);
                throw IngestionException.overloaded("too many bytes in flight; retry later", RETRY_AFTER_SECONDS);
            }
            mine[0] += count;
            mine[1] += size;
        }
        return new Hold(tenant, count, size);
    }

    private static boolean take(AtomicLong counter, long amount, long max) {
        for (long current = counter.get(); ; current = counter.get()) {
            if (current + amount > max) {
                return false;
            }
            if (counter.compareAndSet(current, current + amount)) {
                return true;
            }
        }
    }

    public void release(Hold hold) {
        long[] mine = tenants.get(hold.tenant());
        synchronized (mine) {
            mine[0] -= hold.events();
            mine[1] -= hold.bytes();
        }
        events.addAndGet(-hold.events());
        bytes.addAndGet(-hold.bytes());
    }
}
