package io.strata.platform.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.errors.Reason;
import io.strata.platform.grpc.BearerTokenMechanism;
import io.strata.platform.grpc.CallerInterceptor;
import java.security.Principal;
import java.time.Instant;
import java.util.Set;
import java.util.function.Function;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The rules of internal calls, checked by the called service on every RPC.
 *
 * <ul>
 *   <li>Every call carries its calling service's client-credentials token ({@code authorization},
 *       audience {@code strata-services}, role {@code strata-service}), verified by quarkus-oidc.
 *   <li>A call made for a user ({@link #forUser}) comes from a client allowed to act for users
 *       (the gateway) and also carries that user's own access token in {@code strata-user-token}:
 *       the service verifies it, and the tenant of the request must be the token's and the user must
 *       hold the method's role. A caller therefore cannot choose the tenant: it can only forward a
 *       user's token, which names it.
 *   <li>A call a service makes for itself ({@link #forService}) names the clients allowed, per RPC.
 * </ul>
 */
public final class Access {

    /** Verifies a user's access token (signature, issuer, audience, expiry): an OIDC tenant of the service. */
    @FunctionalInterface
    public interface UserTokens extends Function<String, Uni<SecurityIdentity>> {}

    private final Set<String> userCallers;
    private final UserTokens userTokens;

    /**
     * @param userCallers the clients that may call on users' behalf (today the gateway's)
     * @param userTokens the verifier; what it verified is kept until the token expires ({@link VerifiedTokens})
     */
    public Access(Set<String> userCallers, UserTokens userTokens) {
        this.userCallers = Set.copyOf(userCallers);
        this.userTokens = new VerifiedTokens(userTokens)::apply;
    }

    /** A call for a user of {@code tenant} holding {@code role}: see {@link Call#forUser}. */
    public Uni<Caller> forUser(Uni<SecurityIdentity> service, String tenant, String role) {
        return call(service).forUser(tenant, role);
    }

    /** A service's own call, allowed for the named clients only. */
    public Uni<Caller> forService(Uni<SecurityIdentity> service, Set<String> clients) {
        return call(service).forService(clients);
    }

    /**
     * The call's credentials, checked when a rule is known (for streams, whose tenant comes with a
     * later message).
     *
     * @param service the call's identity: {@code CurrentIdentityAssociation#getDeferredIdentity()},
     *     as {@link BearerTokenMechanism} builds it
     */
    public Call call(Uni<SecurityIdentity> service) {
        return new Call(service.onFailure()
                .transform(e -> Errors.unauthenticated("the service token is not valid"))
                .memoize()
                .indefinitely());
    }

    /** One call's credentials, checked when the rule is known. */
    public final class Call {
        private final Uni<SecurityIdentity> service;

        private Call(Uni<SecurityIdentity> service) {
            this.service = service;
        }

        /**
         * The call is for a user of {@code tenant} holding {@code role}; fails with
         * PERMISSION_DENIED, UNAUTHENTICATED or INVALID_ARGUMENT (field {@code tenant}) otherwise.
         */
        public Uni<Caller> forUser(String tenant, String role) {
            return service.chain(identity -> {
                String client = serviceClient(identity);
                String method = method(identity);
                String userToken = identity.getAttribute(BearerTokenMechanism.USER_TOKEN);
                if (!userCallers.contains(client)) {
                    throw Errors.denied(
                            Reason.CLIENT_NOT_ALLOWED, "client " + client + " may not call " + method + " for a user");
                }
                if (tenant == null || tenant.isBlank()) {
                    throw Errors.invalid("tenant", "tenant is required");
                }
                if (userToken == null || userToken.isBlank()) {
                    throw Errors.denied(
                            Reason.CLIENT_NOT_ALLOWED,
                            method + " is called for a user: the user's token (metadata "
                                    + CallerInterceptor.USER_TOKEN_METADATA + ") is missing");
                }
                return userTokens
                        .apply(userToken)
                        .onFailure()
                        .transform(e -> Errors.unauthenticated("the user's token is not valid"))
                        .map(user -> {
                            String userTenant = Tenants.fromClaim(claim(user.getPrincipal(), Tenants.CLAIM));
                            if (userTenant == null) {
                                throw Errors.denied(Reason.TENANT_MISMATCH, "the user's token carries no tenant");
                            }
                            if (!userTenant.equals(tenant)) {
                                throw Errors.denied(
                                        Reason.TENANT_MISMATCH, "the user may not act for tenant " + tenant);
                            }
                            if (!user.hasRole(role)) {
                                throw Errors.denied(Reason.ROLE_MISSING, method + " needs role " + role);
                            }
                            return new Caller(
                                    client,
                                    tenant,
                                    user.getPrincipal().getName(),
                                    Set.copyOf(user.getRoles()),
                                    deadline(identity));
                        });
            });
        }

        /**
         * The call is a partner's (client credentials, role {@code strata-partner}), for the tenant
         * its token names; {@code tenant}, when given, must be that one.
         */
        public Uni<Caller> forPartner(String tenant) {
            return service.map(identity -> {
                if (identity == null || identity.isAnonymous()) {
                    throw Errors.unauthenticated("a partner's token (authorization: Bearer) is required");
                }
                if (!identity.hasRole(Roles.PARTNER)) {
                    throw Errors.denied(Reason.CLIENT_NOT_ALLOWED, "the token's client is not a partner");
                }
                String own = Tenants.fromClaim(claim(identity.getPrincipal(), Tenants.CLAIM));
                if (own == null) {
                    throw Errors.denied(Reason.TENANT_MISMATCH, "the partner's token carries no tenant");
                }
                if (tenant != null && !tenant.isBlank() && !tenant.equals(own)) {
                    throw Errors.denied(Reason.TENANT_MISMATCH, "the partner may not act for tenant " + tenant);
                }
                Object client = claim(identity.getPrincipal(), "azp");
                return new Caller(client == null ? "" : client.toString(), own, null, Set.of(), deadline(identity));
            });
        }

        /**
         * A user's call through the gateway when the call carries a user's token, else a service's
         * own call by one of {@code clients}, else a partner's call for its tenant.
         */
        public Uni<Caller> forAnyone(String tenant, String role, Set<String> clients) {
            return service.chain(identity -> {
                if (identity != null && identity.getAttribute(BearerTokenMechanism.USER_TOKEN) != null) {
                    return forUser(tenant, role);
                }
                if (identity != null && identity.hasRole(Roles.PARTNER) && !identity.hasRole(Roles.SERVICE)) {
                    return forPartner(tenant);
                }
                return forService(clients);
            });
        }

        /** The call is a service's own, allowed for the named clients only. */
        public Uni<Caller> forService(Set<String> clients) {
            return service.map(identity -> {
                String client = serviceClient(identity);
                String method = method(identity);
                if (!clients.contains(client)) {
                    throw Errors.denied(Reason.CLIENT_NOT_ALLOWED, "client " + client + " may not call " + method);
                }
                return new Caller(client, null, null, Set.of(), deadline(identity));
            });
        }
    }

    private static String serviceClient(SecurityIdentity service) {
        if (service == null || service.isAnonymous()) {
            throw Errors.unauthenticated("a service token (authorization: Bearer) is required");
        }
        if (!service.hasRole(Roles.SERVICE)) {
            throw Errors.denied(Reason.CLIENT_NOT_ALLOWED, "the token's client is not a Strata service");
        }
        Object client = claim(service.getPrincipal(), "azp");
        if (client == null) {
            throw Errors.denied(Reason.CLIENT_NOT_ALLOWED, "the service token names no client (azp)");
        }
        return client.toString();
    }

    private static Instant deadline(SecurityIdentity identity) {
        Long at = identity.getAttribute(BearerTokenMechanism.DEADLINE);
        return at == null ? null : Instant.ofEpochMilli(at);
    }

    private static String method(SecurityIdentity identity) {
        String method = identity.getAttribute(BearerTokenMechanism.METHOD);
        return method == null ? "this method" : method;
    }

    private static Object claim(Principal principal, String name) {
        return principal instanceof JsonWebToken jwt ? jwt.getClaim(name) : null;
    }
}
