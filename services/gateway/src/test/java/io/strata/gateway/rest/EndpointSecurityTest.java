package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.strata.platform.security.Roles;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the API, against tokens of the real realm: without a valid token (none,
 * garbage, tampered, expired, another audience) 401; signed in without the endpoint's role 403.
 * Another tenant's resources are covered by each resource's own test (404).
 */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class EndpointSecurityTest {

    /** An endpoint, the lowest role that may call it, and what it answers that role. */
    record Endpoint(String method, String path, String role, String contentType, String body, int success) {

        int call(RequestSpecification request) {
            RequestSpecification r = request.contentType(contentType == null ? "application/json" : contentType);
            if (body != null) {
                r = r.body(body);
            }
            return r.request(method, path).statusCode();
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** The demo users by their highest role. */
    private static final Map<String, String> USERS =
            Map.of(Roles.ADMIN, "alice", Roles.MARKETER, "mia", Roles.ANALYST, "ana", Roles.VIEWER, "vic");

    private static List<Endpoint> endpoints;
    private static Map<String, String> invalid;

    @BeforeEach
    void endpointsAndTokens() {
        if (endpoints != null) {
            return;
        }
        // a source of alice's tenant, so each endpoint of a source can succeed
        String source = given().auth()
                .oauth2(KeycloakTokens.accessToken("alice"))
                .contentType("application/json")
                .body("{\"name\":\"endpoints\"}")
                .post("/api/v1/sources")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        endpoints = List.of(
                new Endpoint("GET", "/api/v1/sources", Roles.ADMIN, null, null, 200),
                new Endpoint("POST", "/api/v1/sources", Roles.ADMIN, null, "{\"name\":\"x\"}", 201),
                new Endpoint("POST", "/api/v1/sources/" + source + "/rotate", Roles.ADMIN, null, null, 200),
                new Endpoint("POST", "/api/v1/sources/" + source + "/imports", Roles.ADMIN, "text/csv", "a,b\n", 200),
                new Endpoint("DELETE", "/api/v1/sources/" + source, Roles.ADMIN, null, null, 200),
                new Endpoint("GET", "/api/v1/profiles?userId=u1", Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/profiles/" + FakeProfileGrpcService.ID, Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/profiles/summary", Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/models/settings", Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/insight/activity?period=month", Roles.VIEWER, null, null, 200),
                new Endpoint(
                        "POST",
                        "/api/v1/crowds/custom",
                        Roles.ANALYST,
                        null,
                        "{\"dimensions\":[\"traits.gender\"]}",
                        200),
                new Endpoint("POST", "/api/v1/reverse-funnel", Roles.ANALYST, null, "{}", 200),
                new Endpoint("GET", "/api/v1/crowds/trends?segments=a", Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/crowds/custom/schedules", Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/journeys", Roles.VIEWER, null, null, 200),
                new Endpoint(
                        "POST",
                        "/api/v1/journeys",
                        Roles.MARKETER,
                        null,
                        "{\"key\":\"j1\",\"nodes\":[{\"id\":\"x\",\"type\":\"exit\"}]}",
                        200),
                new Endpoint("POST", "/api/v1/journeys/j1/publish", Roles.MARKETER, null, null, 200),
                new Endpoint("POST", "/api/v1/journeys/j1/pause", Roles.MARKETER, null, null, 200),
                new Endpoint("GET", "/api/v1/journeys/j1/stats", Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/journeys/j1/instances", Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/experiments/j1", Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/templates", Roles.VIEWER, null, null, 200),
                new Endpoint("PUT", "/api/v1/templates/sms/t1", Roles.MARKETER, null, "{\"body\":\"x\"}", 200),
                new Endpoint("PUT", "/api/v1/send-policy", Roles.MARKETER, null, "{}", 200),
                new Endpoint("GET", "/api/v1/send-policy", Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/journey-clock", Roles.VIEWER, null, null, 200),
                new Endpoint(
                        "PUT",
                        "/api/v1/journey-clock",
                        Roles.ADMIN,
                        null,
                        "{\"heldAt\": \"2026-11-01T00:00:00Z\"}",
                        200),
                new Endpoint("DELETE", "/api/v1/journey-clock", Roles.ADMIN, null, null, 200),
                new Endpoint("GET", "/api/v1/broadcasts", Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/destinations", Roles.VIEWER, null, null, 200),
                new Endpoint(
                        "PUT",
                        "/api/v1/destinations/crm",
                        Roles.ADMIN,
                        null,
                        "{\"url\": \"https://crm.example/hook\"}",
                        200),
                new Endpoint(
                        "POST",
                        "/api/v1/destinations/crm/replay",
                        Roles.ADMIN,
                        null,
                        "{\"from\": \"2026-12-01T00:00:00Z\"}",
                        200),
                new Endpoint("DELETE", "/api/v1/destinations/crm", Roles.ADMIN, null, null, 200),
                new Endpoint(
                        "POST",
                        "/api/v1/broadcasts",
                        Roles.MARKETER,
                        null,
                        "{\"key\": \"b1\", \"audience\": \"vip\", \"channel\": \"sms\", \"template\": \"t1\"}",
                        200),
                new Endpoint(
                        "POST",
                        "/api/v1/broadcasts/preview",
                        Roles.VIEWER,
                        null,
                        "{\"audience\": \"vip\", \"channel\": \"sms\"}",
                        200),
                new Endpoint(
                        "POST",
                        "/api/v1/messages/receipts",
                        Roles.MARKETER,
                        null,
                        "{\"receipts\": [{\"sendKey\": \"k1\", \"status\": \"delivered\"}]}",
                        200),
                new Endpoint(
                        "POST",
                        "/api/v1/messages/replies",
                        Roles.MARKETER,
                        null,
                        "{\"replies\": [{\"channel\": \"sms\", \"from\": \"+8613800000001\", \"text\": \"TD\"}]}",
                        200),
                new Endpoint("GET", "/api/v1/models/settings/versions", Roles.VIEWER, null, null, 200),
                new Endpoint("PUT", "/api/v1/models/settings", Roles.MARKETER, null, "{\"settings\":{}}", 200),
                new Endpoint("POST", "/api/v1/models/runs", Roles.MARKETER, null, "{}", 202),
                new Endpoint("GET", "/api/v1/models/runs", Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/models/runs/" + FakeModelGrpcService.RUN, Roles.VIEWER, null, null, 200),
                new Endpoint("GET", "/api/v1/models/distributions", Roles.VIEWER, null, null, 200),
                new Endpoint(
                        "GET",
                        "/api/v1/models/aipl/flows?from=2026-06-01T00:00:00Z&to=2026-06-30T00:00:00Z",
                        Roles.VIEWER,
                        null,
                        null,
                        200));

        String valid = KeycloakTokens.accessToken("alice");
        String[] parts = valid.split("\\.");
        String expiring = KeycloakTokens.accessToken("alice", "strata-cli-expiring"); // lives 1 s
        long expiresAt = expiry(expiring);
        await("the 1-second token expires")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> Instant.now().getEpochSecond() > expiresAt);
        invalid = Map.of(
                "garbage",
                "not-a-token",
                "tampered signature",
                parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse(),
                "expired",
                expiring,
                "another audience",
                KeycloakTokens.accessToken("alice", "admin-cli"));
    }

    /** The token's exp claim. */
    private static long expiry(String token) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        Matcher exp = Pattern.compile("\"exp\"\\s*:\\s*(\\d+)").matcher(payload);
        if (!exp.find()) {
            throw new IllegalStateException("no exp in " + payload);
        }
        return Long.parseLong(exp.group(1));
    }

    @Test
    void withoutAValidTokenEveryEndpointAnswers401() {
        for (Endpoint endpoint : endpoints) {
            assertStatus(401, endpoint, "no token", endpoint.call(given()));
            for (Map.Entry<String, String> token : invalid.entrySet()) {
                assertStatus(
                        401,
                        endpoint,
                        token.getKey() + " token",
                        endpoint.call(given().auth().oauth2(token.getValue())));
            }
        }
    }

    @Test
    void everyEndpointRefusesTheRolesBelowItsOwnAndServesItsOwn() {
        for (Endpoint endpoint : endpoints) {
            int lowest = Roles.RANKS.indexOf(endpoint.role());
            for (int rank = 0; rank < lowest; rank++) {
                String user = USERS.get(Roles.RANKS.get(rank));
                assertStatus(
                        403, endpoint, user, endpoint.call(given().auth().oauth2(KeycloakTokens.accessToken(user))));
            }
            // the gateway's own service account is signed in but holds no role of the API
            assertStatus(
                    403,
                    endpoint,
                    "a service account",
                    endpoint.call(given().auth().oauth2(KeycloakTokens.serviceToken())));
            String allowed = USERS.get(endpoint.role());
            assertStatus(
                    endpoint.success(),
                    endpoint,
                    allowed + " (" + endpoint.role() + ")",
                    endpoint.call(given().auth().oauth2(KeycloakTokens.accessToken(allowed))));
        }
    }

    @Test
    void aTokenWithARoleButNoTenantOpensNothing() {
        // nora is a viewer of no tenant
        String nora = KeycloakTokens.accessToken("nora");
        for (Endpoint endpoint : endpoints) {
            if (endpoint.role().equals(Roles.VIEWER)) {
                assertStatus(
                        403,
                        endpoint,
                        "nora (no tenant)",
                        endpoint.call(given().auth().oauth2(nora)));
            }
        }
    }

    private static void assertStatus(int expected, Endpoint endpoint, String caller, int actual) {
        if (actual != expected) {
            throw new AssertionError(endpoint + " with " + caller + ": expected " + expected + ", got " + actual);
        }
    }
}
