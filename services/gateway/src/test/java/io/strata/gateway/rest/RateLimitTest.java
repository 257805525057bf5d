package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo partner's client is limited to 2 requests a second in the tests; others are not touched. */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class RateLimitTest {

    @Test
    void aClientOverItsLimitIsToldWhenToRetryAndOthersAreServed() {
        String partner = KeycloakTokens.clientToken("strata-partner-demo");
        List<Response> responses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            responses.add(
                    given().auth().oauth2(partner).queryParam("userId", "u1").get("/api/v1/profiles"));
        }
        assertEquals(200, responses.get(0).statusCode(), "the partner reads the profiles of its tenant");
        Response limited = responses.stream()
                .filter(r -> r.statusCode() == 429)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no 429 in "
                        + responses.stream().map(Response::statusCode).toList()));
        assertTrue(Integer.parseInt(limited.header("Retry-After")) >= 1);
        assertEquals("application/problem+json", limited.contentType());
        given().auth()
                .oauth2(KeycloakTokens.accessToken("alice"))
                .queryParam("userId", "u1")
                .get("/api/v1/profiles")
                .then()
                .statusCode(200);
    }
}
