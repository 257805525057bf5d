package io.strata.ingestion.repository;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.domain.SourceEntity;

@ApplicationScoped
public class SourceRepository implements PanacheRepositoryBase<SourceEntity, UUID> {

    public Uni<SourceEntity> findByName(String tenant, String name) {
        return find("tenant = ?1 and name = ?2", tenant, name).firstResult();
    }
}
