package io.strata.campaign;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import io.quarkus.test.junit.QuarkusTest;
import io.strata.testing.Management;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthTest {

    @Test
    void healthAndMetricsAreOnTheManagementPortOnly() {
        given().get("/q/health/ready").then().statusCode(404);
        given().get(Management.url("/q/health/live")).then().statusCode(200).body("status", is("UP"));
        given().get(Management.url("/q/health/ready")).then().statusCode(200).body("status", is("UP"));
        given().get(Management.url("/q/metrics")).then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }
}
