package io.strata.ingestion.service;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.domain.SourceRecord;
import io.strata.ingestion.domain.WriteKeys;
import io.strata.ingestion.repository.SourceRepository;
import io.strata.platform.logging.LogSafe;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Sources and their write keys. Keys are random, shown once, and stored only as hashes; every
 * request looks its key up, so a rotation or revocation takes effect on the next request. A
 * source's own rate limit stays within its tenant's quota.
 */
@ApplicationScoped
public class SourceService {

    private static final Logger LOG = Logger.getLogger(SourceService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_NAME_LENGTH = 100;

    private final SourceRepository sources;
    private final TenantQuotas quotas;
    private final IngestionConfig config;
    private final Clock clock = Clock.systemUTC();

    public SourceService(SourceRepository sources, TenantQuotas quotas, IngestionConfig config) {
        this.sources = sources;
        this.quotas = quotas;
        this.config = config;
    }

    /** A source with the key that was made for it; the key is not kept anywhere else. */
    public record Keyed(SourceRecord source, String writeKey) {}

    /**
     * The active source a write key belongs to, or a null item for an unknown or revoked key.
     * Looked up on every request (one indexed row on the reactive client), so a rotation or
     * revocation holds from the next request on, on every replica.
     */
    public Uni<Source> authenticate(String writeKey) {
        if (writeKey == null || writeKey.isBlank()) {
            return Uni.createFrom().nullItem();
        }
        return sources.findActive(WriteKeys.hash(writeKey));
    }

    /**
     * @param rateLimitPerSecond its own limit; null or 0 for the default (the tenant's quota, or
     *     the service's default when lower)
     */
    public Uni<Keyed> create(String tenant, String name, Integer rateLimitPerSecond) {
        return Uni.createFrom().deferred(() -> {
            requireTenant(tenant);
            if (name == null || name.isBlank() || name.strip().length() > MAX_NAME_LENGTH) {
                throw IngestionException.invalid(
                        "name", "name is required, at most " + MAX_NAME_LENGTH + " characters");
            }
            Integer rate = rateLimitPerSecond == null || rateLimitPerSecond == 0 ? null : rateLimitPerSecond;
            if (rate != null && rate < 0) {
                throw IngestionException.invalid(
                        "rate_limit_per_second", "rate_limit_per_second must be positive (or 0 for the default)");
            }
            int quota = quotas.eventsPerSecond(tenant);
            if (rate != null && rate > quota) {
                throw IngestionException.invalid(
                        "rate_limit_per_second",
                        "rate_limit_per_second " + rate + " is above the tenant's quota of " + quota
                                + " events per second");
            }
            String key = newWriteKey();
            SourceRecord source =
                    new SourceRecord(UUID.randomUUID(), tenant, name.strip(), clock.instant(), null, rate);
            return sources.insert(source, WriteKeys.hash(key))
                    .onItem()
                    .ifNull()
                    .failWith(() ->
                            IngestionException.invalid("name", "the tenant already has a source named " + name.strip()))
                    .map(saved -> new Keyed(saved, key));
        });
    }

    /** A page of the tenant's sources, by name, starting after {@code afterName} (may be empty). */
    public Uni<List<SourceRecord>> list(String tenant, String afterName, int limit) {
        return Uni.createFrom().deferred(() -> {
            requireTenant(tenant);
            return sources.list(tenant, afterName == null ? "" : afterName, limit);
        });
    }

    public Uni<Keyed> rotate(String tenant, UUID id) {
        return owned(tenant, id).chain(source -> {
            if (source.revoked()) {
                return Uni.createFrom().failure(IngestionException.invalid("source_id", "the source is revoked"));
            }
            String key = newWriteKey();
            return sources.rekey(tenant, id, WriteKeys.hash(key))
                    .onItem()
                    .ifNull()
                    .failWith(() -> IngestionException.invalid("source_id", "the source is revoked"))
                    .map(rekeyed -> new Keyed(rekeyed, key));
        });
    }

    public Uni<SourceRecord> revoke(String tenant, UUID id) {
        return owned(tenant, id)
                .chain(source -> sources.revoke(tenant, id, clock.instant()))
                .onItem()
                .ifNull()
                .failWith(() -> notFound(id));
    }

    /** The tenant's source when it is active; NOT_FOUND when absent, INVALID when revoked. */
    public Uni<Source> active(String tenant, UUID id) {
        return owned(tenant, id).map(source -> {
            if (source.revoked()) {
                throw IngestionException.invalid("source_id", "the source is revoked");
            }
            return source.toSource();
        });
    }

    /** The tenant's source, or NOT_FOUND: another tenant's source is indistinguishable from none. */
    private Uni<SourceRecord> owned(String tenant, UUID id) {
        return Uni.createFrom().deferred(() -> {
            requireTenant(tenant);
            return sources.find(tenant, id).onItem().ifNull().failWith(() -> notFound(id));
        });
    }

    /**
     * On the local stack only ({@code strata.ingestion.bootstrap.enabled}, which ./strata sets): the
     * bootstrap source is created, or given the configured key. A revoked bootstrap source stays
     * revoked: a restart never brings a key back that an administrator revoked.
     */
    void onStart(@Observes StartupEvent ignored) {
        bootstrap(config.bootstrap());
    }

    void bootstrap(IngestionConfig.Bootstrap bootstrap) {
        if (!bootstrap.enabled() || bootstrap.writeKey().isEmpty()) {
            return;
        }
        SourceRecord source = ensureBootstrap(
                        bootstrap.tenant(),
                        bootstrap.sourceName(),
                        bootstrap.writeKey().get())
                .await()
                .atMost(Duration.ofSeconds(30));
        if (source.revoked()) {
            LOG.warnf(
                    "bootstrap source %s (%s) of tenant %s is revoked and stays so; its key is not restored",
                    LogSafe.text(source.name()), source.id(), LogSafe.text(source.tenant()));
        } else {
            LOG.infof(
                    "bootstrap source %s (%s) of tenant %s is ready",
                    LogSafe.text(source.name()), source.id(), LogSafe.text(source.tenant()));
        }
    }

    Uni<SourceRecord> ensureBootstrap(String tenant, String name, String writeKey) {
        String hash = WriteKeys.hash(writeKey);
        return sources.findByName(tenant, name).chain(existing -> {
            if (existing != null) {
                return existing.revoked()
                        ? Uni.createFrom().item(existing)
                        : sources.rekey(tenant, existing.id(), hash)
                                .map(rekeyed -> rekeyed == null ? existing : rekeyed);
            }
            SourceRecord source = new SourceRecord(UUID.randomUUID(), tenant, name, clock.instant(), null, null);
            return sources.insert(source, hash).onItem().ifNull().switchTo(() -> sources.findByName(tenant, name));
        });
    }

    private static void requireTenant(String tenant) {
        if (tenant == null || tenant.isBlank()) {
            throw IngestionException.invalid("tenant", "tenant is required");
        }
    }

    private static IngestionException notFound(UUID id) {
        return IngestionException.notFound("source " + id + " not found");
    }

    private static String newWriteKey() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
