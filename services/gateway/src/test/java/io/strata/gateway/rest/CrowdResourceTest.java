package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelRequest;
import io.strata.proto.segmentation.v1.FindCustomCrowdsRequest;
import io.strata.proto.segmentation.v1.GetCrowdTrendsRequest;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The crowd endpoints with real tokens and a fake segmentation-service: the body in the API's
 * spelling becomes the contract's request with the user's tenant, a refusal names the field, a body
 * naming a tenant or a field of no request is refused before any call, saving takes a marketer.
 */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class CrowdResourceTest {

    private static String ana;
    private static String mia;

    @BeforeAll
    static void tokens() {
        ana = KeycloakTokens.accessToken("ana");
        mia = KeycloakTokens.accessToken("mia");
    }

    @Test
    void anAnalystFindsCustomCrowds() {
        FakeCrowdGrpcService.requests.clear();
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{\"dimensions\": [\"traits.gender\", \"traits.cityTier\"], \"leastMembers\": 30,"
                        + " \"metric\": \"jensen_shannon\"}")
                .post("/api/v1/crowds/custom")
                .then()
                .statusCode(200)
                .body("chosen", is(2))
                .body("crowds.members", contains("20", "10"));
        FindCustomCrowdsRequest sent = (FindCustomCrowdsRequest) FakeCrowdGrpcService.requests.get(0);
        assertEquals("demo", sent.getTenant());
        assertEquals(List.of("traits.gender", "traits.cityTier"), sent.getDimensionsList());
        assertEquals(30, sent.getLeastMembers());
        assertEquals("jensen_shannon", sent.getMetric());
    }

    @Test
    void refusalsNameTheField() {
        FakeCrowdGrpcService.requests.clear();
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{}")
                .post("/api/v1/crowds/custom")
                .then()
                .statusCode(400)
                .body("field", is("dimensions"));
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{\"tenant\": \"acme\", \"dimensions\": [\"traits.gender\"]}")
                .post("/api/v1/crowds/custom")
                .then()
                .statusCode(400)
                .body("field", is("tenant"));
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{\"expansions\": 3}")
                .post("/api/v1/reverse-funnel")
                .then()
                .statusCode(400)
                .body("field", is("request"));
        assertEquals(1, FakeCrowdGrpcService.requests.size());
    }

    @Test
    void theReverseFunnelAndWhoMaySave() {
        FakeCrowdGrpcService.requests.clear();
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{}")
                .post("/api/v1/reverse-funnel")
                .then()
                .statusCode(200)
                .body("tiers.tier", contains("core", "high_potential", "broad"));
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{\"saveAs\": \"Funnel\"}")
                .post("/api/v1/reverse-funnel")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"saveAs\": \"Funnel\", \"method\": \"centroid\", \"expansion\": 40}")
                .post("/api/v1/reverse-funnel")
                .then()
                .statusCode(200);
        AnalyzeReverseFunnelRequest sent = (AnalyzeReverseFunnelRequest)
                FakeCrowdGrpcService.requests.get(FakeCrowdGrpcService.requests.size() - 1);
        assertEquals("demo", sent.getTenant());
        assertEquals("centroid", sent.getMethod());
        assertEquals(40, sent.getExpansion());
    }

    @Test
    void aViewerReadsTrends() {
        FakeCrowdGrpcService.requests.clear();
        given().auth()
                .oauth2(KeycloakTokens.accessToken("vic"))
                .get("/api/v1/crowds/trends?segments=demo-gen-z, demo-other-crowd&period=week&from=2026-10-01")
                .then()
                .statusCode(200)
                .body("crowds.segmentId", contains("demo-gen-z", "demo-other-crowd"))
                .body("crowds[0].points[0].size", is("5"));
        GetCrowdTrendsRequest sent = (GetCrowdTrendsRequest) FakeCrowdGrpcService.requests.get(0);
        assertEquals("demo", sent.getTenant());
        assertEquals("week", sent.getPeriod());
        assertEquals("2026-10-01", sent.getFrom());
        given().auth()
                .oauth2(KeycloakTokens.accessToken("vic"))
                .get("/api/v1/crowds/trends?segments=a&period=year")
                .then()
                .statusCode(400)
                .body("field", is("period"));
        given().auth()
                .oauth2(KeycloakTokens.accessToken("vic"))
                .get("/api/v1/crowds/custom/schedules")
                .then()
                .statusCode(200)
                .body("schedules[0].saveAs", is("brand crowd"))
                .body("schedules[0].everyDays", is(7));
        given().auth()
                .oauth2(KeycloakTokens.accessToken("vic"))
                .get("/api/v1/crowds/trends")
                .then()
                .statusCode(400)
                .body("field", is("segments"));
    }
}
