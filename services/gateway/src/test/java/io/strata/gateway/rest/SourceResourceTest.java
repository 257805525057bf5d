package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sources and write keys: administrators of the tenant only. Real tokens, a fake ingestion-service. */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class SourceResourceTest {

    private static String alice;
    private static String bob;

    @BeforeAll
    static void tokens() {
        alice = KeycloakTokens.accessToken("alice");
        bob = KeycloakTokens.accessToken("bob");
    }

    private static String create(String token, String name) {
        return given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"rateLimitPerSecond\":500}")
                .post("/api/v1/sources")
                .then()
                .statusCode(201)
                .header("Location", org.hamcrest.Matchers.containsString("/api/v1/sources/"))
                .body("writeKey", notNullValue())
                .body("rateLimitPerSecond", is(500))
                .extract()
                .path("id");
    }

    @Test
    void anAdministratorManagesTheTenantsSources() {
        String id = create(alice, "mini-program");
        given().auth()
                .oauth2(alice)
                .get("/api/v1/sources")
                .then()
                .statusCode(200)
                .body("items.name", hasItem("mini-program"))
                .body("items[0].writeKey", nullValue());
        given().auth()
                .oauth2(alice)
                .post("/api/v1/sources/" + id + "/rotate")
                .then()
                .statusCode(200)
                .body("writeKey", startsWith("rotated-"));
        given().auth()
                .oauth2(alice)
                .delete("/api/v1/sources/" + id)
                .then()
                .statusCode(200)
                .body("revokedAt", notNullValue());
    }

    @Test
    void anotherTenantsAdministratorCannotTouchTheSource() {
        String id = create(alice, "store");
        given().auth()
                .oauth2(bob)
                .post("/api/v1/sources/" + id + "/rotate")
                .then()
                .statusCode(404);
        given().auth().oauth2(bob).delete("/api/v1/sources/" + id).then().statusCode(404);
        given().auth()
                .oauth2(bob)
                .get("/api/v1/sources")
                .then()
                .statusCode(200)
                .body("items.name", org.hamcrest.Matchers.not(hasItem("store")));
    }

    @Test
    void onlyAdministratorsMayManageSources() {
        for (String user : new String[] {"mia", "ana", "vic"}) {
            String token = KeycloakTokens.accessToken(user);
            given().auth().oauth2(token).get("/api/v1/sources").then().statusCode(403);
            given().auth()
                    .oauth2(token)
                    .contentType(ContentType.JSON)
                    .body("{\"name\":\"x\"}")
                    .post("/api/v1/sources")
                    .then()
                    .statusCode(403);
        }
        given().get("/api/v1/sources").then().statusCode(401);
    }

    @Test
    void badInputNamesTheField() {
        given().auth()
                .oauth2(alice)
                .contentType(ContentType.JSON)
                .body("{\"rateLimitPerSecond\":5}")
                .post("/api/v1/sources")
                .then()
                .statusCode(400)
                .body("field", is("name"));
        given().auth()
                .oauth2(alice)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"x\",\"rateLimitPerSecond\":\"fast\"}")
                .post("/api/v1/sources")
                .then()
                .statusCode(400)
                .body("field", is("rateLimitPerSecond"));
        given().auth()
                .oauth2(alice)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"" + "n".repeat(101) + "\"}")
                .post("/api/v1/sources")
                .then()
                .statusCode(400)
                .body("field", is("name"));
        given().auth()
                .oauth2(alice)
                .contentType(ContentType.JSON)
                .body("{\"name\":")
                .post("/api/v1/sources")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(alice)
                .contentType(ContentType.TEXT)
                .body("name=x")
                .post("/api/v1/sources")
                .then()
                .statusCode(415)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(alice)
                .post("/api/v1/sources/not-a-uuid/rotate")
                .then()
                .statusCode(400)
                .body("field", is("id"));
        given().auth()
                .oauth2(alice)
                .queryParam("pageSize", 0)
                .get("/api/v1/sources")
                .then()
                .statusCode(400)
                .body("field", is("pageSize"));
        given().auth()
                .oauth2(alice)
                .queryParam("pageSize", "many")
                .get("/api/v1/sources")
                .then()
                .statusCode(400)
                .body("field", is("pageSize"));
    }
}
