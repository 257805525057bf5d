package io.strata.campaign.config;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.Tenant;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.oidc.client.OidcClient;
import io.strata.platform.grpc.OidcClientTokens;
import io.strata.platform.grpc.TokenSource;
import io.strata.platform.security.Access;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The shared conventions of services/platform, wired for this service. */
@ApplicationScoped
public class PlatformBeans {

    /** Internal calls: the gateway's calls for a user carry that user's token, verified by OIDC tenant "users". */
    @Produces
    @Singleton
    Access access(@Tenant("users") TenantIdentityProvider users, CampaignConfig config) {
        return new Access(config.userCallers(), token -> users.authenticate(new AccessTokenCredential(token)));
    }

    /**
     * campaign-service's own client-credentials token (client strata-campaign-service) for its calls
     * to segmentation-service, kept until shortly before it expires; asked for at the first call.
     */
    @Produces
    @Singleton
    TokenSource tokens(OidcClient client) {
        return OidcClientTokens.cached(client);
    }
}
