package io.strata.ingestion.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.domain.SourceEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class SourceRepository implements PanacheRepositoryBase<SourceEntity, UUID> {

    public Uni<SourceEntity> findByName(String tenant, String name) {
        return find("tenant = ?1 and name = ?2", tenant, name).firstResult();
    }
}
