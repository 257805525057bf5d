package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.testing.LocalRealm;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The console (services/console) is served at {@code /} without a token, its assets with it, and
 * tells the browser where to sign in; the API beside it still wants a token.
 */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class ConsoleTest {

    @Test
    void theConsoleAndItsAssetsAreServedAtTheRoot() {
        String index = given().get("/")
                .then()
                .statusCode(200)
                .contentType(containsString("text/html"))
                .header("X-Frame-Options", "DENY")
                .header("X-Content-Type-Options", "nosniff")
                .body(containsString("<div id=\"root\">"))
                .extract()
                .asString();
        Matcher script = Pattern.compile("src=\"\\./(assets/[^\"]+\\.js)\"").matcher(index);
        assertTrue(script.find(), "the page loads its bundle: " + index);
        given().get("/" + script.group(1))
                .then()
                .statusCode(200)
                .contentType(containsString("javascript"))
                .body(containsString("strata-admin"));
    }

    @Test
    void theConsoleIsToldTheRealmAndItsPublicClient() {
        given().get("/console/config.json")
                .then()
                .statusCode(200)
                .header("Cache-Control", containsString("no-store"))
                .body("url", equalTo("http://127.0.0.1:8180"))
                .body("realm", equalTo("strata"))
                .body("clientId", equalTo("strata-console"));
        given().get("/api/v1/segments").then().statusCode(401);
    }
}
