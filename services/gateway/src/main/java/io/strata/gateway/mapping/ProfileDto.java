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
        String updatedAt,
        BehaviourDto behaviour,
        Map<String, TagDto> tags,
        long version) {

    /** A tag's value (true/false, text, number or yyyy-MM-dd), where it came from and when it was set. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TagDto(Object value, String source, String setAt) {}

    public record IdentityDto(String type, String value) {}

    /** Behaviour aggregates: per event name, orders (absent without any), facets by dimension and value. */
    public record BehaviourDto(
            Map<String, EventStatsDto> events, OrdersDto orders, Map<String, Map<String, FacetDto>> facets) {}

    /** Lifetime count, first and last time, and the rolling windows ending today. */
    public record EventStatsDto(
            long count,
            String firstAt,
            String lastAt,
            long last7Days,
            long last30Days,
            long last90Days,
            long last365Days) {}

    public record OrdersDto(
            long orders,
            double revenue,
            double averageOrderValue,
            String firstOrderAt,
            String lastOrderAt,
            long purchaseDays) {}

    public record FacetDto(long count, String firstAt, String lastAt) {}
}
