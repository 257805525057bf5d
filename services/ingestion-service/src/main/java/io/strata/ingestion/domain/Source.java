package io.strata.ingestion.domain;

import java.util.UUID;

/** A place events come from, owned by a tenant. */
public record Source(UUID id, String tenant, String name) {
}
