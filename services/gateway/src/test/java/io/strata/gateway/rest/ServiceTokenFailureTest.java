package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.strata.testing.KeycloakTokens;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the gateway cannot get its service token, callers get a 503 to retry, not a 500. */
@QuarkusTest
@TestProfile(ServiceTokenFailureTest.WrongClientSecret.class)
class ServiceTokenFailureTest {

    public static class WrongClientSecret implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.oidc-client.credentials.secret", "not-the-secret");
        }
    }

    @Test
    void aRefusedServiceTokenIsA503() {
        given().auth()
                .oauth2(KeycloakTokens.accessToken("alice"))
                .queryParam("userId", "u1")
                .get("/api/v1/profiles")
                .then()
                .statusCode(503)
                .header("Retry-After", "5")
                .contentType("application/problem+json");
    }
}
