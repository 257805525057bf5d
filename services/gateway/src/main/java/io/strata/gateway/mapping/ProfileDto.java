package io.strata.gateway.mapping;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** A profile as the REST API shows it. Times are ISO-8601 in UTC. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProfileDto(
        String id,
        List<IdentityDto> identities,
        Map<String, Object> traits,
        Map<String, Long> eventCounts,
        String firstSeen,
        String lastSeen,
        String createdAt,
        String updatedAt) {

    public record IdentityDto(String type, String value) {}
}
