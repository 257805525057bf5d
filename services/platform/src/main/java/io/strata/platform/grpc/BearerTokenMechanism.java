package io.strata.platform.grpc;

import io.grpc.Metadata;
import io.quarkus.grpc.auth.GrpcSecurityMechanism;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.strata.platform.security.VerifiedTokens;

/**
 * Authentication of internal gRPC calls, on the HTTP port or on a gRPC server of its own: the
 * caller's {@code authorization: Bearer} token is verified by the service's default OIDC tenant, and
 * the identity it gives carries what else the call brought for {@link io.strata.platform.security.Access}:
 * the forwarded user's token ({@code strata-user-token}) and the method's name. (The identity is
 * resolved lazily, and the service method may run on another thread than the call's first: what
 * Access needs travels with the identity, not in a thread's context.) Other schemes (a write key's
 * {@code Basic}) pass untouched. A service registers both parts as beans: a subclass of this
 * mechanism, and a subclass of {@link Identities} handed the default {@link TenantIdentityProvider}.
 */
public class BearerTokenMechanism implements GrpcSecurityMechanism {

    /** The identity's attribute holding the forwarded user's token, when the call carries one. */
    public static final String USER_TOKEN = "strata.user-token";
    /** The identity's attribute holding the called method's full name. */
    public static final String METHOD = "strata.method";
    /** The identity's attribute holding when the caller gives up (epoch milliseconds), when it said. */
    public static final String DEADLINE = "strata.deadline";

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";

    /** A bearer token of a gRPC call, with the call's user token and method, for {@link Identities}. */
    public static final class Request extends BaseAuthenticationRequest {
        private final String token;
        private final String userToken;
        private final String method;
        private final Long deadline;

        Request(String token, String userToken, String method, Long deadline) {
            this.token = token;
            this.userToken = userToken;
            this.method = method;
            this.deadline = deadline;
        }
    }

    @Override
    public boolean handles(Metadata metadata) {
        String value = metadata.get(AUTHORIZATION);
        return value != null && value.regionMatches(true, 0, BEARER, 0, BEARER.length());
    }

    @Override
    public AuthenticationRequest createAuthenticationRequest(Metadata metadata) {
        String deadline = metadata.get(CallerInterceptor.DEADLINE_HEADER);
        return new Request(
                metadata.get(AUTHORIZATION).substring(BEARER.length()).strip(),
                metadata.get(CallerInterceptor.USER_TOKEN_HEADER),
                metadata.get(CallerInterceptor.METHOD_HEADER),
                deadline == null ? null : Long.valueOf(deadline));
    }

    @Override
    public int getPriority() {
        return 1_000;
    }

    /** Verifies a gRPC call's bearer token with an OIDC tenant (no HTTP request needed). */
    public static class Identities implements IdentityProvider<Request> {

        private final VerifiedTokens tokens;

        public Identities(TenantIdentityProvider tokens) {
            this.tokens = new VerifiedTokens(token -> tokens.authenticate(new AccessTokenCredential(token)));
        }

        @Override
        public Class<Request> getRequestType() {
            return Request.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(Request request, AuthenticationRequestContext context) {
            return tokens.apply(request.token)
                    .onFailure(e -> !(e instanceof AuthenticationFailedException))
                    .transform(e -> new AuthenticationFailedException(e.getMessage(), e))
                    .map(identity -> {
                        QuarkusSecurityIdentity.Builder with = QuarkusSecurityIdentity.builder(identity);
                        if (request.userToken != null) {
                            with.addAttribute(USER_TOKEN, request.userToken);
                        }
                        if (request.method != null) {
                            with.addAttribute(METHOD, request.method);
                        }
                        if (request.deadline != null) {
                            with.addAttribute(DEADLINE, request.deadline);
                        }
                        return with.build();
                    });
        }
    }
}
