package io.strata.platform.grpc;

import io.grpc.Metadata;
import io.quarkus.grpc.auth.GrpcSecurityMechanism;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;

/**
 * Bearer tokens on a gRPC server of its own ({@code quarkus.grpc.server.use-separate-server=true}),
 * where the HTTP server's authentication does not run: {@code authorization: Bearer} is handed to
 * quarkus-oidc, as on the HTTP port. Other schemes (a write key's {@code Basic}) pass untouched.
 * A service registers it as a bean (a subclass annotated {@code @Singleton}).
 */
public class BearerTokenMechanism implements GrpcSecurityMechanism {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";

    @Override
    public boolean handles(Metadata metadata) {
        String value = metadata.get(AUTHORIZATION);
        return value != null && value.regionMatches(true, 0, BEARER, 0, BEARER.length());
    }

    @Override
    public AuthenticationRequest createAuthenticationRequest(Metadata metadata) {
        String token = metadata.get(AUTHORIZATION).substring(BEARER.length()).strip();
        return new TokenAuthenticationRequest(new AccessTokenCredential(token));
    }
}
