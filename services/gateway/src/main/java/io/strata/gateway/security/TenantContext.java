package io.strata.gateway.security;

import io.strata.gateway.rest.ApiException;
import io.strata.platform.security.Tenants;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The caller of a request, from its access token; a token without a tenant opens nothing (403). */
@RequestScoped
public class TenantContext {

    private final JsonWebToken token;

    public TenantContext(JsonWebToken token) {
        this.token = token;
    }

    public SignedIn user() {
        String tenant = Tenants.fromClaim(token.getClaim(Tenants.CLAIM));
        if (tenant == null) {
            throw new ApiException(Response.Status.FORBIDDEN, "the access token carries no tenant", null);
        }
        return new SignedIn(tenant, token.getRawToken());
    }

    public String tenant() {
        return user().tenant();
    }
}
