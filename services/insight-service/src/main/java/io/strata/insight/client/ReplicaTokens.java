package io.strata.insight.client;

import io.quarkus.oidc.client.OidcClient;
import io.smallrye.mutiny.Uni;
import io.strata.platform.grpc.CachedTokenSource;
import io.strata.platform.grpc.OidcClientTokens;
import io.strata.platform.grpc.TokenSource;
import jakarta.inject.Singleton;

/**
 * insight-service's own client-credentials token (client strata-insight-service, audience
 * strata-services) for the calls between its replicas, kept until shortly before it expires
 * (services/platform {@link CachedTokenSource}). Asked for at the first such call only: a replica
 * alone never needs it.
 */
@Singleton
public class ReplicaTokens implements TokenSource {

    private final TokenSource cached;

    public ReplicaTokens(OidcClient client) {
        this.cached = OidcClientTokens.cached(client);
    }

    @Override
    public Uni<Token> token() {
        return cached.token();
    }
}
