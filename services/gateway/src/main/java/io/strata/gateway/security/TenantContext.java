package io.strata.gateway.security;

import io.strata.gateway.rest.ApiException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The tenant of the caller, from the access token's {@code tenant} claim; never from the request. */
@RequestScoped
public class TenantContext {

    public static final String CLAIM = "tenant";

    private final JsonWebToken token;

    public TenantContext(JsonWebToken token) {
        this.token = token;
    }

    public String tenant() {
        Object claim = token.getClaim(CLAIM);
        String tenant = claim == null ? null : claim.toString().strip();
        if (tenant == null || tenant.isEmpty()) {
            throw new ApiException(Response.Status.FORBIDDEN, "the access token carries no tenant", null);
        }
        return tenant;
    }
}
