package io.strata.ingestion.service;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.Source;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets in events per second with a burst allowance: one per source (its own limit, else
 * the default, never above its tenant's quota) and one per tenant (its quota, over all its
 * sources). Every event of a request costs a token, refused ones too. Limits are per replica: with
 * N replicas behind a balancer a source may send up to N times its limit.
 */
@ApplicationScoped
public class SourceRateLimiter {

    private record Limited(long perSecond, Bucket bucket) {}

    private final Map<UUID, Limited> sources = new ConcurrentHashMap<>();
    private final Map<String, Limited> tenants = new ConcurrentHashMap<>();
    private final IngestionConfig.RateLimit config;
    private final TenantQuotas quotas;

    public SourceRateLimiter(IngestionConfig config, TenantQuotas quotas) {
        this.config = config.rateLimit();
        this.quotas = quotas;
    }

    /**
     * Takes {@code events} tokens of the source and of its tenant, or refuses with the seconds to
     * wait. More events than the source's burst could never pass: those are refused as too large,
     * naming {@code field} (the request's list of events), not asked to wait.
     */
    public void acquire(Source source, int events, String field) {
        if (events <= 0) {
            return;
        }
        long perSecond = perSecond(source);
        long capacity = perSecond * config.burstSeconds();
        if (events > capacity) {
            throw IngestionException.tooLarge(
                    field,
                    "the source takes at most " + capacity + " events at once (" + perSecond + " per second, "
                            + config.burstSeconds() + " s of burst); send at most " + capacity + " per request");
        }
        Limited own = sources.compute(
                source.id(),
                (id, existing) -> existing != null && existing.perSecond() == perSecond
                        ? existing
                        : new Limited(perSecond, bucket(perSecond)));
        ConsumptionProbe probe = own.bucket().tryConsumeAndReturnRemaining(events);
        if (!probe.isConsumed()) {
            throw IngestionException.rateLimited(retryAfter(probe));
        }
        long quota = quotas.eventsPerSecond(source.tenant());
        Limited tenant = tenants.compute(
                source.tenant(),
                (t, existing) -> existing != null && existing.perSecond() == quota
                        ? existing
                        : new Limited(quota, bucket(quota)));
        ConsumptionProbe tenantProbe = tenant.bucket().tryConsumeAndReturnRemaining(events);
        if (!tenantProbe.isConsumed()) {
            own.bucket().addTokens(events); // the source's share is given back
            throw IngestionException.overQuota(
                    "the tenant's sources send more events than its quota of " + quota + " per second; retry later",
                    retryAfter(tenantProbe));
        }
    }

    /** The most events one request of the source can ever get through at once (its burst). */
    public long capacity(Source source) {
        return perSecond(source) * config.burstSeconds();
    }

    private long perSecond(Source source) {
        long own = source.rateLimitPerSecond() != null ? source.rateLimitPerSecond() : config.eventsPerSecond();
        return Math.min(own, quotas.eventsPerSecond(source.tenant()));
    }

    private static long retryAfter(ConsumptionProbe probe) {
        return Math.max(1, (long) Math.ceil(probe.getNanosToWaitForRefill() / 1e9));
    }

    private Bucket bucket(long perSecond) {
        long capacity = perSecond * config.burstSeconds();
        return Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(capacity)
                        .refillGreedy(perSecond, Duration.ofSeconds(1))
                        .build())
                .build();
    }
}
