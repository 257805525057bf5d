package io.strata.ingestion.service;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.domain.SourceEntity;
import io.strata.ingestion.domain.WriteKeys;
import io.strata.ingestion.repository.SourceRepository;
import io.strata.ingestion.repository.WriteKeyRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Sources and their write keys. Keys are random, shown once, and stored only as hashes; every
 * request looks its key up, so a rotation or revocation takes effect on the next request.
 */
@ApplicationScoped
public class SourceService {

    private static final Logger LOG = Logger.getLogger(SourceService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_NAME_LENGTH = 100;

    private final SourceRepository sources;
    private final WriteKeyRepository keys;
    private final IngestionConfig config;

    public SourceService(SourceRepository sources, WriteKeyRepository keys, IngestionConfig config) {
        this.sources = sources;
        this.keys = keys;
        this.config = config;
    }

    /** A source with the key that was made for it; the key is not kept anywhere else. */
    public record Keyed(SourceEntity source, String writeKey) {}

    /**
     * The active source a write key belongs to, or a null item for an unknown or revoked key.
     * Looked up on every request (one indexed row on the reactive client), so a rotation or
     * revocation holds from the next request on, on every replica.
     */
    public Uni<Source> authenticate(String writeKey) {
        if (writeKey == null || writeKey.isBlank()) {
            return Uni.createFrom().nullItem();
        }
        return keys.findActive(WriteKeys.hash(writeKey));
    }

    @WithTransaction
    public Uni<Keyed> create(String tenant, String name, Integer rateLimitPerSecond) {
        requireTenant(tenant);
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            return Uni.createFrom()
                    .failure(IngestionException.invalid(
                            "name", "name is required, at most " + MAX_NAME_LENGTH + " characters"));
        }
        if (rateLimitPerSecond != null && rateLimitPerSecond < 0) {
            return Uni.createFrom()
                    .failure(IngestionException.invalid(
                            "rateLimitPerSecond", "rateLimitPerSecond must be positive (or 0 for the default)"));
        }
        return sources.findByName(tenant, name.strip()).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom()
                        .failure(IngestionException.invalid(
                                "name", "the tenant already has a source named " + name.strip()));
            }
            String key = newWriteKey();
            SourceEntity entity = new SourceEntity();
            entity.id = UUID.randomUUID();
            entity.tenant = tenant;
            entity.name = name.strip();
            entity.writeKeyHash = WriteKeys.hash(key);
            entity.createdAt = now();
            entity.rateLimitPerSecond =
                    rateLimitPerSecond == null || rateLimitPerSecond == 0 ? null : rateLimitPerSecond;
            return sources.persist(entity).map(saved -> new Keyed(saved, key));
        });
    }

    /** A page of the tenant's sources, by name, starting after {@code afterName} (may be empty). */
    @WithSession
    public Uni<List<SourceEntity>> list(String tenant, String afterName, int limit) {
        requireTenant(tenant);
        return sources.find("tenant = ?1 and name > ?2 order by name", tenant, afterName == null ? "" : afterName)
                .page(0, limit)
                .list();
    }

    @WithTransaction
    public Uni<Keyed> rotate(String tenant, UUID id) {
        return owned(tenant, id).chain(entity -> {
            if (entity.revokedAt != null) {
                return Uni.createFrom().failure(IngestionException.invalid("id", "the source is revoked"));
            }
            String key = newWriteKey();
            entity.writeKeyHash = WriteKeys.hash(key);
            return Uni.createFrom().item(new Keyed(entity, key));
        });
    }

    @WithTransaction
    public Uni<SourceEntity> revoke(String tenant, UUID id) {
        return owned(tenant, id).invoke(entity -> {
            if (entity.revokedAt == null) {
                entity.revokedAt = now();
            }
        });
    }

    /** The tenant's source when it is active; NOT_FOUND when absent, INVALID when revoked. */
    @WithSession
    public Uni<Source> active(String tenant, UUID id) {
        return owned(tenant, id).map(entity -> {
            if (entity.revokedAt != null) {
                throw IngestionException.invalid("source_id", "the source is revoked");
            }
            return entity.toSource();
        });
    }

    /** The tenant's source, or NOT_FOUND: another tenant's source is indistinguishable from none. */
    private Uni<SourceEntity> owned(String tenant, UUID id) {
        requireTenant(tenant);
        return sources.find("tenant = ?1 and id = ?2", tenant, id)
                .firstResult()
                .onItem()
                .ifNull()
                .failWith(() -> new SourceNotFoundException(id));
    }

    /** Creates the configured bootstrap source, or gives it the configured key, at start. */
    void onStart(@Observes StartupEvent ignored) throws Throwable {
        var bootstrap = config.bootstrap();
        if (bootstrap.writeKey().isEmpty()) {
            return;
        }
        Source source = VertxContextSupport.subscribeAndAwait(() -> ensureSource(
                bootstrap.tenant(), bootstrap.sourceName(), bootstrap.writeKey().get()));
        LOG.infof("bootstrap source %s (%s) of tenant %s is ready", source.name(), source.id(), source.tenant());
    }

    @WithTransaction
    Uni<Source> ensureSource(String tenant, String name, String writeKey) {
        String hash = WriteKeys.hash(writeKey);
        return sources.findByName(tenant, name).chain(existing -> {
            if (existing != null) {
                existing.writeKeyHash = hash;
                existing.revokedAt = null;
                return Uni.createFrom().item(existing.toSource());
            }
            SourceEntity entity = new SourceEntity();
            entity.id = UUID.randomUUID();
            entity.tenant = tenant;
            entity.name = name;
            entity.writeKeyHash = hash;
            entity.createdAt = now();
            return sources.persist(entity).map(SourceEntity::toSource);
        });
    }

    private static void requireTenant(String tenant) {
        if (tenant == null || tenant.isBlank()) {
            throw IngestionException.invalid("tenant", "tenant is required");
        }
    }

    private static String newWriteKey() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    /** No source of that id in the tenant. */
    public static class SourceNotFoundException extends RuntimeException {
        public SourceNotFoundException(UUID id) {
            super("source " + id + " not found");
        }
    }
}
