package io.strata.platform.security;

import static io.strata.platform.security.TestJwts.jwt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.grpc.BearerTokenMechanism;
import java.util.Map;
import java.util.Set;
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

    @Test
    void aUserCallFromTheGatewayIsBoundToTheUsersTenantAndRole() {
        Caller caller = access.forUser(service("strata-gateway", "alice"), "demo", Roles.ADMIN)
                .await()
                .indefinitely();
        assertEquals(new Caller("strata-gateway", "demo", "alice", Set.of(Roles.ADMIN, Roles.VIEWER)), caller);
    }

    @Test
    void theTenantIsTheUsersNotTheCallers() {
        assertRefused(Status.Code.PERMISSION_DENIED, "TENANT_MISMATCH", service("strata-gateway", "alice"), "acme");
        assertRefused(Status.Code.PERMISSION_DENIED, "TENANT_MISMATCH", service("strata-gateway", "nora"), "demo");
        assertRefused(Status.Code.INVALID_ARGUMENT, null, service("strata-gateway", "alice"), "");
    }

    @Test
    void theUsersRoleIsCheckedAgain() {
        assertRefused(Status.Code.PERMISSION_DENIED, "ROLE_MISSING", service("strata-gateway", "vic"), "demo");
    }

    @Test
    void onlyTheGatewayMayCallForUsersAndOnlyWithAValidUserToken() {
        assertRefused(
                Status.Code.PERMISSION_DENIED, "CLIENT_NOT_ALLOWED", service("strata-test-service", "alice"), "demo");
        assertRefused(Status.Code.PERMISSION_DENIED, "CLIENT_NOT_ALLOWED", service("strata-gateway", null), "demo");
        assertRefused(Status.Code.UNAUTHENTICATED, null, service("strata-gateway", "forged"), "demo");
        assertRefused(Status.Code.UNAUTHENTICATED, null, Uni.createFrom().nullItem(), "demo");
        SecurityIdentity partner = QuarkusSecurityIdentity.builder()
                .setPrincipal(jwt("partner", Map.of("azp", "strata-partner-demo", "tenant", "demo")))
                .addRole(Roles.PARTNER)
                .addAttribute(BearerTokenMechanism.USER_TOKEN, "alice")
                .build();
        assertRefused(
                Status.Code.PERMISSION_DENIED,
                "CLIENT_NOT_ALLOWED",
                Uni.createFrom().item(partner),
                "demo");
    }

    @Test
    void aServicesOwnCallIsAllowedForTheNamedClientsOnly() {
        Caller own = access.forService(
                        service("strata-segmentation-service", null), Set.of("strata-segmentation-service"))
                .await()
                .indefinitely();
        assertEquals("strata-segmentation-service", own.client());
        assertNull(own.tenant());
        Exception e = assertThrows(
                Exception.class,
                () -> access.forService(service("strata-gateway", null), Set.of("strata-segmentation-service"))
                        .await()
                        .indefinitely());
        assertEquals(Status.Code.PERMISSION_DENIED, Status.fromThrowable(e).getCode());
        assertEquals(
                "client strata-gateway may not call " + METHOD,
                Status.fromThrowable(e).getDescription());
    }

    private void assertRefused(Status.Code code, String reason, Uni<SecurityIdentity> service, String tenant) {
        Exception e = assertThrows(
                Exception.class,
                () -> access.forUser(service, tenant, Roles.ADMIN).await().indefinitely());
        assertEquals(code, Status.fromThrowable(e).getCode(), e.getMessage());
        if (reason != null) {
            assertEquals(reason, Errors.reason(e).orElse(null));
        }
    }

    /** A service's identity as BearerTokenMechanism builds it: the forwarded user's token beside it. */
    private static Uni<SecurityIdentity> service(String client, String userToken) {
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder()
                .setPrincipal(jwt("service-account-" + client, Map.of("azp", client)))
                .addRole(Roles.SERVICE)
                .addAttribute(BearerTokenMechanism.METHOD, METHOD);
        if (userToken != null) {
            identity.addAttribute(BearerTokenMechanism.USER_TOKEN, userToken);
        }
        return Uni.createFrom().item(identity.build());
    }

    private static SecurityIdentity user(String name, Map<String, Object> claims, String... roles) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(jwt(name, claims))
                .addRoles(Set.of(roles))
                .build();
    }
}
