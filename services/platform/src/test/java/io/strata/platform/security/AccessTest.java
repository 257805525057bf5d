package io.strata.platform.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Context;
import io.grpc.Status;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.grpc.CallerInterceptor;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

class AccessTest {

    private static final String METHOD = "strata.ingestion.v1.SourceAdminService/CreateSource";

    /** Tokens as the verifier sees them: "alice" (admin of demo), "vic" (viewer of demo), "nora" (no tenant). */
    private final Access access = new Access(Set.of("strata-gateway"), token -> switch (token) {
        case "alice" -> Uni.createFrom().item(user("alice", Map.of("tenant", "demo"), Roles.ADMIN, Roles.VIEWER));
        case "vic" -> Uni.createFrom().item(user("vic", Map.of("tenant", "demo"), Roles.VIEWER));
        case "nora" -> Uni.createFrom().item(user("nora", Map.of(), Roles.ADMIN));
        default -> Uni.createFrom().failure(new SecurityException("bad signature"));
    });

    private final SecurityIdentity gateway = service("strata-gateway");

    @Test
    void aUserCallFromTheGatewayIsBoundToTheUsersTenantAndRole() throws Exception {
        Caller caller = call("alice", () -> access.forUser(gateway, "demo", Roles.ADMIN));
        assertEquals(new Caller("strata-gateway", "demo", "alice", Set.of(Roles.ADMIN, Roles.VIEWER)), caller);
    }

    @Test
    void theTenantIsTheUsersNotTheCallers() {
        assertRefused(Status.Code.PERMISSION_DENIED, "TENANT_MISMATCH", "alice", "acme", Roles.ADMIN, gateway);
        assertRefused(Status.Code.PERMISSION_DENIED, "TENANT_MISMATCH", "nora", "demo", Roles.ADMIN, gateway);
        assertRefused(Status.Code.INVALID_ARGUMENT, null, "alice", "", Roles.ADMIN, gateway);
    }

    @Test
    void theUsersRoleIsCheckedAgain() {
        assertRefused(Status.Code.PERMISSION_DENIED, "ROLE_MISSING", "vic", "demo", Roles.ADMIN, gateway);
    }

    @Test
    void onlyTheGatewayMayCallForUsersAndOnlyWithAValidUserToken() {
        assertRefused(
                Status.Code.PERMISSION_DENIED,
                "CLIENT_NOT_ALLOWED",
                "alice",
                "demo",
                Roles.ADMIN,
                service("strata-test-service"));
        assertRefused(Status.Code.PERMISSION_DENIED, "CLIENT_NOT_ALLOWED", null, "demo", Roles.ADMIN, gateway);
        assertRefused(Status.Code.UNAUTHENTICATED, null, "forged", "demo", Roles.ADMIN, gateway);
        assertRefused(Status.Code.UNAUTHENTICATED, null, "alice", "demo", Roles.ADMIN, null);
        SecurityIdentity partner = QuarkusSecurityIdentity.builder()
                .setPrincipal(jwt("partner", Map.of("azp", "strata-partner-demo", "tenant", "demo")))
                .addRole(Roles.PARTNER)
                .build();
        assertRefused(Status.Code.PERMISSION_DENIED, "CLIENT_NOT_ALLOWED", "alice", "demo", Roles.ADMIN, partner);
    }

    @Test
    void aServicesOwnCallIsAllowedForTheNamedClientsOnly() throws Exception {
        Caller own = call(
                null,
                () -> access.forService(service("strata-segmentation-service"), Set.of("strata-segmentation-service")));
        assertEquals("strata-segmentation-service", own.client());
        assertEquals(null, own.tenant());
        Exception e = assertThrows(
                Exception.class,
                () -> call(null, () -> access.forService(gateway, Set.of("strata-segmentation-service"))));
        assertEquals(Status.Code.PERMISSION_DENIED, Status.fromThrowable(e).getCode());
    }

    private void assertRefused(
            Status.Code code, String reason, String userToken, String tenant, String role, SecurityIdentity service) {
        Exception e = assertThrows(Exception.class, () -> call(userToken, () -> access.forUser(service, tenant, role)));
        assertEquals(code, Status.fromThrowable(e).getCode(), e.getMessage());
        if (reason != null) {
            assertEquals(reason, Errors.reason(e).orElse(null));
        }
    }

    private static Caller call(String userToken, Callable<Uni<Caller>> access) throws Exception {
        Context context = Context.current()
                .withValue(CallerInterceptor.METHOD, METHOD)
                .withValue(CallerInterceptor.USER_TOKEN, userToken);
        return context.call(access).await().indefinitely();
    }

    private static SecurityIdentity service(String client) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(jwt("service-account-" + client, Map.of("azp", client)))
                .addRole(Roles.SERVICE)
                .build();
    }

    private static SecurityIdentity user(String name, Map<String, Object> claims, String... roles) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(jwt(name, claims))
                .addRoles(Set.of(roles))
                .build();
    }

    private static JsonWebToken jwt(String name, Map<String, Object> claims) {
        return new JsonWebToken() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String claim) {
                return (T) claims.get(claim);
            }
        };
    }
}
