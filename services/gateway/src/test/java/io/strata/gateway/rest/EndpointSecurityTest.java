package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.strata.gateway.security.Roles;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the API, against tokens of the real realm: without a valid token (none,
 * garbage, tampered, expired, another audience) 401; signed in without the endpoint's role 403.
 * Another tenant's resources are covered by each resource's own test (404).
 */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class EndpointSecurityTest {

    /** An endpoint and the lowest role that may call it. */
    record Endpoint(String method, String path, String role, String contentType, String body) {

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

    private static final String ANY_ID = UUID.randomUUID().toString();

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/v1/sources", Roles.ADMIN, null, null),
            new Endpoint("POST", "/api/v1/sources", Roles.ADMIN, null, "{\"name\":\"x\"}"),
            new Endpoint("POST", "/api/v1/sources/" + ANY_ID + "/rotate", Roles.ADMIN, null, null),
            new Endpoint("DELETE", "/api/v1/sources/" + ANY_ID, Roles.ADMIN, null, null),
            new Endpoint("POST", "/api/v1/sources/" + ANY_ID + "/imports", Roles.ADMIN, "text/csv", "a,b\n"),
            new Endpoint("GET", "/api/v1/profiles?userId=u1", Roles.VIEWER, null, null),
            new Endpoint("GET", "/api/v1/profiles/" + ANY_ID, Roles.VIEWER, null, null),
            new Endpoint("GET", "/api/v1/profiles/summary", Roles.VIEWER, null, null));

    /** The demo users by their highest role. */
    private static final Map<String, String> USERS =
            Map.of(Roles.ADMIN, "alice", Roles.MARKETER, "mia", Roles.ANALYST, "ana", Roles.VIEWER, "vic");

    private static final List<String> RANKS = List.of(Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN);

    private static Map<String, String> invalid;

    @BeforeAll
    static void tokens() throws InterruptedException {
        String valid = KeycloakTokens.accessToken("alice");
        String[] parts = valid.split("\\.");
        String expired = KeycloakTokens.accessToken("alice", "strata-cli-expiring"); // lives 1 s
        Thread.sleep(2_500);
        invalid = Map.of(
                "garbage",
                "not-a-token",
                "tampered signature",
                parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse(),
                "expired",
                expired,
                "another audience",
                KeycloakTokens.accessToken("alice", "admin-cli"));
    }

    @Test
    void withoutAValidTokenEveryEndpointAnswers401() {
        for (Endpoint endpoint : ENDPOINTS) {
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
    void everyEndpointRefusesTheRolesBelowItsOwn() {
        for (Endpoint endpoint : ENDPOINTS) {
            int lowest = RANKS.indexOf(endpoint.role());
            for (int rank = 0; rank < lowest; rank++) {
                String user = USERS.get(RANKS.get(rank));
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
            int status = endpoint.call(given().auth().oauth2(KeycloakTokens.accessToken(allowed)));
            if (status == 401 || status == 403) {
                throw new AssertionError(endpoint + " refused " + allowed + " (" + endpoint.role() + "): " + status);
            }
        }
    }

    private static void assertStatus(int expected, Endpoint endpoint, String caller, int actual) {
        if (actual != expected) {
            throw new AssertionError(endpoint + " with " + caller + ": expected " + expected + ", got " + actual);
        }
    }
}
