package io.strata.ingestion.service;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.domain.SourceEntity;
import io.strata.ingestion.domain.WriteKeys;
import io.strata.ingestion.repository.SourceRepository;

/** Sources and their write keys. */
@ApplicationScoped
public class SourceService {

    private static final Logger LOG = Logger.getLogger(SourceService.class);

    private final SourceRepository sources;
    private final IngestionConfig config;

    public SourceService(SourceRepository sources, IngestionConfig config) {
        this.sources = sources;
        this.config = config;
    }

    /** The active source a write key belongs to, or a null item for an unknown or revoked key. */
    @WithSession
    public Uni<Source> authenticate(String writeKey) {
        if (writeKey == null || writeKey.isBlank()) {
            return Uni.createFrom().nullItem();
        }
        return sources.findActiveByKeyHash(WriteKeys.hash(writeKey))
                .map(entity -> entity == null ? null : entity.toSource());
    }

    /** Creates the configured bootstrap source, or gives it the configured key, at start. */
    void onStart(@Observes StartupEvent ignored) throws Throwable {
        var bootstrap = config.bootstrap();
        if (bootstrap.writeKey().isEmpty()) {
            return;
        }
        Source source = VertxContextSupport.subscribeAndAwait(
                () -> ensureSource(bootstrap.tenant(), bootstrap.sourceName(), bootstrap.writeKey().get()));
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
            entity.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            return sources.persist(entity).map(SourceEntity::toSource);
        });
    }
}
