package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import io.strata.testing.Management;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The profile endpoints with real tokens from the local Keycloak and a fake profile-service. */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class ProfileResourceTest {

    private static String alice;
    private static String bob;

    @BeforeAll
    static void tokens() {
        alice = KeycloakTokens.accessToken("alice"); // admin of tenant demo
        bob = KeycloakTokens.accessToken("bob"); // admin of tenant acme
    }

    @Test
    void findsAProfileOfTheCallersTenant() {
        given().auth()
                .oauth2(alice)
                .queryParam("userId", "u1")
                .get("/api/v1/profiles")
                .then()
                .statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].id", is(FakeProfileGrpcService.ID))
                .body("items[0].identities[1].type", is("anonymousId"))
                .body("items[0].eventCounts.'Order Completed'", is(2))
                .body("items[0].createdAt", is("2023-11-14T22:13:20Z"))
                .body("items[0].tags.clv_tier.value", is("high"))
                .body("items[0].tags.clv_tier.source", is("model:strata-segmentation-service"))
                .body("items[0].tags.clv_tier.setAt", is("2023-11-14T22:14:10Z"))
                .body("items[0].tags.vip_manual.value", is(true))
                .body("items[0].tags.vip_manual.setAt", nullValue());
        given().auth()
                .oauth2(alice)
                .get("/api/v1/profiles/" + FakeProfileGrpcService.ID)
                .then()
                .statusCode(200)
                .body("id", is(FakeProfileGrpcService.ID));
    }

    @Test
    void listsTheAudiencesAProfileIsIn() {
        given().auth()
                .oauth2(alice)
                .get("/api/v1/profiles/" + FakeProfileGrpcService.ID + "/segments")
                .then()
                .statusCode(200)
                .body("segmentIds", contains("vip"));
        given().auth()
                .oauth2(alice)
                .get("/api/v1/profiles/not-a-uuid/segments")
                .then()
                .statusCode(400)
                .body("field", is("id"));
    }

    @Test
    void summarisesTheCallersTenant() {
        given().auth()
                .oauth2(alice)
                .get("/api/v1/profiles/summary")
                .then()
                .statusCode(200)
                .body("profiles", is(3))
                .body("knownProfiles", is(1))
                .body("anonymousProfiles", is(2))
                .body("identities.anonymousId", is(3))
                .body("merges", is(1))
                .body("topEvents[0].name", is("Order Completed"))
                .body("firstSeen", is("2023-11-14T22:13:20Z"));
        given().auth()
                .oauth2(bob)
                .get("/api/v1/profiles/summary")
                .then()
                .statusCode(200)
                .body("profiles", is(0));
        given().auth()
                .oauth2(alice)
                .queryParam("topEvents", 0)
                .get("/api/v1/profiles/summary")
                .then()
                .statusCode(400)
                .body("field", is("topEvents"));
        given().auth()
                .oauth2(alice)
                .queryParam("topEvents", "ten")
                .get("/api/v1/profiles/summary")
                .then()
                .statusCode(400)
                .body("field", is("topEvents"));
    }

    @Test
    void anotherTenantsProfileIsNotThere() {
        given().auth()
                .oauth2(bob)
                .queryParam("userId", "u1")
                .get("/api/v1/profiles")
                .then()
                .statusCode(200)
                .body("items", empty());
        given().auth()
                .oauth2(bob)
                .get("/api/v1/profiles/" + FakeProfileGrpcService.ID)
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void callsWithoutAValidTokenAreRefused() {
        given().queryParam("userId", "u1").get("/api/v1/profiles").then().statusCode(401);
        given().auth()
                .oauth2("not-a-token")
                .queryParam("userId", "u1")
                .get("/api/v1/profiles")
                .then()
                .statusCode(401);
        String tampered = alice.substring(0, alice.length() - 4) + (alice.endsWith("AAAA") ? "BBBB" : "AAAA");
        given().auth()
                .oauth2(tampered)
                .queryParam("userId", "u1")
                .get("/api/v1/profiles")
                .then()
                .statusCode(401);
    }

    @Test
    void badQueriesNameTheField() {
        // without an identifier the profiles are listed, a page at a time
        given().auth()
                .oauth2(alice)
                .queryParam("pageSize", "0")
                .get("/api/v1/profiles")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", is("pageSize"));
        given().auth()
                .oauth2(alice)
                .queryParam("userId", "u1")
                .queryParam("email", "a@b.cn")
                .get("/api/v1/profiles")
                .then()
                .statusCode(400)
                .body("field", is("email"));
        given().auth()
                .oauth2(alice)
                .get("/api/v1/profiles/42")
                .then()
                .statusCode(400)
                .body("field", is("id"));
    }

    @Test
    void anUnavailableServiceIsA503WithRetryAfter() {
        given().auth()
                .oauth2(alice)
                .queryParam("anonymousId", "unavailable")
                .get("/api/v1/profiles")
                .then()
                .statusCode(503)
                .header("Retry-After", "5");
    }

    @Test
    void openApiHealthAndMetricsAreOnTheManagementPortNeverOnThePublicOne() {
        String admin = Management.url("");
        given().get(admin + "/q/openapi").then().statusCode(200);
        given().get(admin + "/q/health/live").then().statusCode(200).body("status", is("UP"));
        given().get(admin + "/q/metrics").then().statusCode(200);
        for (String path : java.util.List.of("/q/openapi", "/q/health/live", "/q/metrics", "/q/swagger-ui")) {
            given().get(path).then().statusCode(404);
        }
    }

    @Test
    void aServiceThatDoesNotAnswerWithinTheDeadlineIsA503AndTheCallIsCancelledThere() {
        FakeProfileGrpcService.cancelled.set(false);
        long started = System.nanoTime();
        given().auth()
                .oauth2(alice)
                .queryParam("userId", FakeProfileGrpcService.SILENT)
                .get("/api/v1/profiles")
                .then()
                .statusCode(503)
                .header("Retry-After", "5");
        long millis = (System.nanoTime() - started) / 1_000_000;
        org.junit.jupiter.api.Assertions.assertTrue(millis < 10_000, "answered at the deadline: " + millis + " ms");
        org.awaitility.Awaitility.await("the service saw the call end")
                .atMost(java.time.Duration.ofSeconds(10))
                .until(FakeProfileGrpcService.cancelled::get);
    }
}
