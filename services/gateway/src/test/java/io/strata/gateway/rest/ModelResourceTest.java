package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.proto.segmentation.v1.GetModelSettingsRequest;
import io.strata.proto.segmentation.v1.StartModelRunRequest;
import io.strata.proto.segmentation.v1.UpdateModelSettingsRequest;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model settings endpoints with real tokens and a fake segmentation-service: settings as a JSON
 * object both ways, a refused setting named by its place in them, and who may change them.
 */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class ModelResourceTest {

    private static String mia;
    private static String vic;

    @BeforeAll
    static void tokens() {
        mia = KeycloakTokens.accessToken("mia");
        vic = KeycloakTokens.accessToken("vic");
    }

    @Test
    void aViewerReadsTheSettingsAndTheirVersions() {
        FakeModelGrpcService.requests.clear();
        given().auth()
                .oauth2(vic)
                .get("/api/v1/models/settings")
                .then()
                .statusCode(200)
                .body("version", is("2"))
                .body("settings.churn.window_days", is(30))
                .body("createdBy", is("mia"));
        assertEquals("demo", ((GetModelSettingsRequest) FakeModelGrpcService.requests.get(0)).getTenant());
        given().auth()
                .oauth2(vic)
                .get("/api/v1/models/settings/versions")
                .then()
                .statusCode(200)
                .body("items.version", contains("2", "1"));
    }

    @Test
    void aMarketerMakesANewVersion() {
        FakeModelGrpcService.requests.clear();
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"settings\": {\"churn\": {\"window_days\": 14}}, \"expectedVersion\": 2}")
                .put("/api/v1/models/settings")
                .then()
                .statusCode(200)
                .body("version", is("3"))
                .body("settings.churn.window_days", is(14));
        UpdateModelSettingsRequest sent = (UpdateModelSettingsRequest) FakeModelGrpcService.requests.get(0);
        assertEquals("demo", sent.getTenant());
        assertEquals("{\"churn\":{\"window_days\":14}}", sent.getSettings());
        assertEquals(2, sent.getExpectedVersion());
    }

    @Test
    void refusalsNameTheSetting() {
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"settings\": {\"lifecycle\": {\"hours\": 3}}}")
                .put("/api/v1/models/settings")
                .then()
                .statusCode(400)
                .body("field", is("settings.lifecycle.hours"))
                .body("detail", containsString("is not a setting"));
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"settings\": {}, \"expectedVersion\": 1}")
                .put("/api/v1/models/settings")
                .then()
                .statusCode(409);
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"settings\": [1]}")
                .put("/api/v1/models/settings")
                .then()
                .statusCode(400)
                .body("field", is("settings"));
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"settings\": {}, \"expectedVersion\": \"two\"}")
                .put("/api/v1/models/settings")
                .then()
                .statusCode(400)
                .body("field", is("expectedVersion"));
        given().auth()
                .oauth2(vic)
                .contentType("application/json")
                .body("{\"settings\": {}}")
                .put("/api/v1/models/settings")
                .then()
                .statusCode(403);
    }

    @Test
    void runsDistributionsAndFlows() {
        FakeModelGrpcService.requests.clear();
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"asOf\": \"2026-06-30T00:00:00+08:00\"}")
                .post("/api/v1/models/runs")
                .then()
                .statusCode(202)
                .body("status", is("running"))
                .body("id", is(FakeModelGrpcService.RUN));
        StartModelRunRequest sent = (StartModelRunRequest) FakeModelGrpcService.requests.get(0);
        assertEquals("demo", sent.getTenant());
        assertEquals(
                java.time.Instant.parse("2026-06-29T16:00:00Z").getEpochSecond(),
                sent.getAsOf().getSeconds());
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"asOf\": \"yesterday\"}")
                .post("/api/v1/models/runs")
                .then()
                .statusCode(400)
                .body("field", is("asOf"));
        given().auth()
                .oauth2(vic)
                .contentType("application/json")
                .body("{}")
                .post("/api/v1/models/runs")
                .then()
                .statusCode(403);

        given().auth()
                .oauth2(vic)
                .get("/api/v1/models/runs/" + FakeModelGrpcService.RUN)
                .then()
                .statusCode(200)
                .body("counts.churn_risk.counts.true", is("3"));
        given().auth()
                .oauth2(vic)
                .get("/api/v1/models/runs/" + java.util.UUID.randomUUID())
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(vic)
                .get("/api/v1/models/runs?limit=101")
                .then()
                .statusCode(400)
                .body("field", is("limit"));
        given().auth()
                .oauth2(vic)
                .get("/api/v1/models/runs")
                .then()
                .statusCode(200)
                .body("items.size()", is(2));
        // the latest run that finished, not the one running
        given().auth()
                .oauth2(vic)
                .get("/api/v1/models/distributions")
                .then()
                .statusCode(200)
                .body("runId", is(FakeModelGrpcService.RUN))
                .body("distributions.churn_risk.counts.false", is("9"));

        given().auth()
                .oauth2(vic)
                .get("/api/v1/models/aipl/flows?from=2026-06-01T00:00:00Z&to=2026-06-30T00:00:00Z")
                .then()
                .statusCode(200)
                .body("flows.size()", is(2))
                .body("fertility", is("6"));
        given().auth()
                .oauth2(vic)
                .get("/api/v1/models/aipl/flows?from=2026-06-01&to=2026-06-30T00:00:00Z")
                .then()
                .statusCode(400)
                .body("field", is("from"));
        given().auth()
                .oauth2(vic)
                .get("/api/v1/models/aipl/flows?from=2026-06-01T00:00:00Z")
                .then()
                .statusCode(400)
                .body("field", is("to"));
    }
}
