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
import java.util.concurrent.TimeUnit;

/**
 * A token bucket per source, in events per second with a burst allowance. Limits are per
 * replica: with N replicas behind a balancer a source may send up to N times its limit.
 */
@ApplicationScoped
public class SourceRateLimiter {

    private record Limited(int perSecond, Bucket bucket) {}

    private final Map<UUID, Limited> buckets = new ConcurrentHashMap<>();
    private final IngestionConfig.RateLimit config;

    public SourceRateLimiter(IngestionConfig config) {
        this.config = config.rateLimit();
    }

    /** Takes {@code events} tokens, or refuses with the seconds to wait before retrying. */
    public void acquire(Source source, int events) {
        int perSecond = perSecond(source);
        Limited limited = buckets.compute(
                source.id(),
                (id, existing) -> existing != null && existing.perSecond() == perSecond
                        ? existing
                        : new Limited(perSecond, bucket(perSecond)));
        ConsumptionProbe probe = limited.bucket().tryConsumeAndReturnRemaining(events);
        if (!probe.isConsumed()) {
            long capacity = (long) perSecond * config.burstSeconds();
            long waitNanos = events > capacity
                    ? TimeUnit.SECONDS.toNanos((long) Math.ceil((double) events / perSecond))
                    : probe.getNanosToWaitForRefill();
            throw IngestionException.rateLimited(Math.max(1, (long) Math.ceil(waitNanos / 1e9)));
        }
    }

    /** The most events one request of the source can ever get through at once (its burst). */
    public long capacity(Source source) {
        return (long) perSecond(source) * config.burstSeconds();
    }

    private int perSecond(Source source) {
        return source.rateLimitPerSecond() != null ? source.rateLimitPerSecond() : config.eventsPerSecond();
    }

    private Bucket bucket(int perSecond) {
        long capacity = (long) perSecond * config.burstSeconds();
        return Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(capacity)
                        .refillGreedy(perSecond, Duration.ofSeconds(1))
                        .build())
                .build();
    }
}
