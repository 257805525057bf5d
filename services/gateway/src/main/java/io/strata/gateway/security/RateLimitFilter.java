package io.strata.gateway.security;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.strata.gateway.config.GatewayConfig;
import io.strata.gateway.rest.Problems;
import io.strata.platform.security.Tenants;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Rate limits per tenant and client: every signed-in caller of {@code /api} takes a token from
 * the bucket of its (tenant, client) pair; an empty bucket answers 429 with Retry-After.
 * Buckets are per replica.
 */
@ApplicationScoped
public class RateLimitFilter {

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final GatewayConfig.RateLimit config;

    public RateLimitFilter(GatewayConfig config) {
        this.config = config.rateLimit();
    }

    @ServerRequestFilter
    public Optional<Response> limit(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api/")
                || !(request.getSecurityContext().getUserPrincipal() instanceof JsonWebToken token)) {
            return Optional.empty();
        }
        String tenant = String.valueOf(Tenants.fromClaim(token.getClaim(Tenants.CLAIM)));
        String client = String.valueOf(token.<Object>getClaim("azp"));
        int perSecond = config.clients()
                .getOrDefault(client, config.tenants().getOrDefault(tenant, config.requestsPerSecond()));
        Bucket bucket = buckets.computeIfAbsent(tenant + "/" + client + "/" + perSecond, key -> bucket(perSecond));
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return Optional.empty();
        }
        long retryAfter = Math.max(1, (long) Math.ceil(probe.getNanosToWaitForRefill() / 1e9));
        return Optional.of(Response.fromResponse(Problems.response(
                        Response.Status.TOO_MANY_REQUESTS,
                        "too many requests for tenant " + tenant + " and client " + client + "; retry later",
                        null))
                .header(HttpHeaders.RETRY_AFTER, retryAfter)
                .build());
    }

    private Bucket bucket(int perSecond) {
        return Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity((long) perSecond * config.burstSeconds())
                        .refillGreedy(perSecond, Duration.ofSeconds(1))
                        .build())
                .build();
    }
}
