package io.strata.platform.grpc;

import io.quarkus.oidc.client.OidcClient;
import java.time.Instant;

/**
 * A service's own client-credentials token from its Quarkus OIDC client, kept until shortly before
 * it expires and renewed once however many calls start meanwhile ({@link CachedTokenSource}). For
 * the services that call others with their own token (quarkus-oidc-client among their
 * dependencies).
 */
public final class OidcClientTokens {

    private OidcClientTokens() {}

    public static TokenSource cached(OidcClient client) {
        return new CachedTokenSource(() -> client.getTokens()
                .map(tokens -> new TokenSource.Token(
                        tokens.getAccessToken(),
                        tokens.getAccessTokenExpiresAt() == null
                                ? null
                                : Instant.ofEpochSecond(tokens.getAccessTokenExpiresAt()))));
    }
}
