package io.strata.gateway.mapping;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.strata.proto.ingestion.v1.Source;

/**
 * A source as the REST API shows it; {@code writeKey} only in the answer that made the key.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceDto(
        String id, String name, Integer rateLimitPerSecond, String createdAt, String revokedAt, String writeKey) {

    public static SourceDto of(Source source, String writeKey) {
        return new SourceDto(
                source.getId(),
                source.getName(),
                source.getRateLimitPerSecond() == 0 ? null : source.getRateLimitPerSecond(),
                ProfileMapper.iso(source.getCreatedAt()),
                source.hasRevokedAt() ? ProfileMapper.iso(source.getRevokedAt()) : null,
                writeKey == null || writeKey.isEmpty() ? null : writeKey);
    }
}
