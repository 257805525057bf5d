package io.strata.gateway.client;

import io.quarkus.oidc.client.OidcClient;
import io.smallrye.mutiny.Uni;
import io.strata.platform.grpc.CachedTokenSource;
import io.strata.platform.grpc.OidcClientTokens;
import io.strata.platform.grpc.TokenSource;
import jakarta.inject.Singleton;

/**
 * The gateway's client-credentials token for its calls to the services (client strata-gateway,
 * audience strata-services), kept until shortly before it expires and renewed once however many
 * calls start meanwhile (services/platform {@link CachedTokenSource}).
 */
@Singleton
public class ServiceTokens implements TokenSource {

    private final TokenSource cached;

    public ServiceTokens(OidcClient client) {
        this.cached = OidcClientTokens.cached(client);
    }

    @Override
    public Uni<Token> token() {
        return cached.token();
    }
}
