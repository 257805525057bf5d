package io.strata.campaign.grpc;

import io.quarkus.oidc.TenantIdentityProvider;
import io.strata.platform.grpc.BearerTokenMechanism;
import jakarta.inject.Singleton;

/** Verifies the bearer tokens of {@link BearerTokens} with the default OIDC tenant (services/platform). */
@Singleton
public class BearerTokenIdentities extends BearerTokenMechanism.Identities {

    public BearerTokenIdentities(TenantIdentityProvider tokens) {
        super(tokens);
    }
}
