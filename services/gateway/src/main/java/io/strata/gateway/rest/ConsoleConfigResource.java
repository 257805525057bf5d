package io.strata.gateway.rest;

import io.strata.gateway.config.GatewayConfig;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * What the console needs before anyone signs in: the Keycloak base address, realm and public client
 * it sends the browser to (authorization code with PKCE). Public, as the realm's discovery document is.
 */
@Path("/console/config.json")
@PermitAll
public class ConsoleConfigResource {

    private final GatewayConfig config;

    public ConsoleConfigResource(GatewayConfig config) {
        this.config = config;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response get() {
        String realmUrl = config.console().authServerUrl().replaceAll("/+$", "");
        int at = realmUrl.lastIndexOf("/realms/");
        if (at < 0) {
            throw new IllegalStateException("strata.gateway.console.auth-server-url is not a realm's address"
                    + " (…/realms/<realm>): " + realmUrl);
        }
        CacheControl noStore = new CacheControl();
        noStore.setNoStore(true);
        return Response.ok(Map.of(
                        "url", realmUrl.substring(0, at),
                        "realm", realmUrl.substring(at + "/realms/".length()),
                        "clientId", config.console().clientId()))
                .cacheControl(noStore)
                .build();
    }
}
