package io.strata.gateway.rest;

import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.Tenant;
import io.quarkus.oidc.TenantIdentityProvider;
import io.strata.platform.grpc.BearerTokenMechanism;
import io.strata.platform.grpc.CallerInterceptor;
import io.strata.platform.security.Access;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Set;

/**
 * The fake services check their callers as the real ones do (services/platform): the gateway's
 * service token, and the signed-in user's token it forwards, whose tenant must be the request's.
 * So every test through them also proves the gateway forwards the right user.
 */
@ApplicationScoped
public class FakeServicesSecurity {

    @Produces
    @Singleton
    Access access(@Tenant("users") TenantIdentityProvider users) {
        return new Access(Set.of("strata-gateway"), token -> users.authenticate(new AccessTokenCredential(token)));
    }

    @GlobalInterceptor
    @Singleton
    public static class Callers extends CallerInterceptor {}

    @Singleton
    public static class BearerTokens extends BearerTokenMechanism {}

    @Singleton
    public static class BearerTokenIdentities extends BearerTokenMechanism.Identities {
        public BearerTokenIdentities(TenantIdentityProvider tokens) {
            super(tokens);
        }
    }
}
