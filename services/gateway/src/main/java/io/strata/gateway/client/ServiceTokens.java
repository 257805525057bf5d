package io.strata.gateway.client;

import io.grpc.Metadata;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The gateway's client-credentials token for calls to the services, as gRPC metadata. Kept
 * until shortly before it expires, then fetched again, without blocking the caller.
 */
@ApplicationScoped
public class ServiceTokens {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final long REFRESH_BEFORE_SECONDS = 30;

    private final OidcClient client;
    private volatile Tokens current;

    public ServiceTokens(OidcClient client) {
        this.client = client;
    }

    public Uni<Metadata> metadata() {
        Tokens tokens = current;
        if (tokens != null && !expiring(tokens)) {
            return Uni.createFrom().item(metadata(tokens));
        }
        return client.getTokens().invoke(fresh -> current = fresh).map(ServiceTokens::metadata);
    }

    private static boolean expiring(Tokens tokens) {
        Long expiresAt = tokens.getAccessTokenExpiresAt();
        return expiresAt == null || Instant.now().getEpochSecond() + REFRESH_BEFORE_SECONDS >= expiresAt;
    }

    private static Metadata metadata(Tokens tokens) {
        Metadata metadata = new Metadata();
        metadata.put(AUTHORIZATION, "Bearer " + tokens.getAccessToken());
        return metadata;
    }
}
