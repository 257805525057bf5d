package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.proto.insight.v1.GetActivityRequest;
import io.strata.proto.insight.v1.GetFunnelRequest;
import io.strata.proto.insight.v1.GetTgiRequest;
import io.strata.proto.insight.v1.ImportCostsRequest;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The insight endpoints with real tokens and a fake insight-service: the question as the request
 * message in JSON with the user's tenant, its answer as JSON, the service's refusals as 4xx naming
 * the field, and analysts and above only but for the status and the activity over time (every role).
 */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class InsightResourceTest {

    private static String ana;
    private static String vic;

    @BeforeAll
    static void tokens() {
        ana = KeycloakTokens.accessToken("ana");
        vic = KeycloakTokens.accessToken("vic");
    }

    @Test
    void anAnalystAsksForATgi() {
        FakeInsightGrpcService.requests.clear();
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{\"audience\": \"demo-refined-mums\", \"base\": \"all\", \"dimensions\": [\"topic\"],"
                        + " \"min_base\": 30}")
                .post("/api/v1/insight/tgi")
                .then()
                .statusCode(200)
                .body("audienceSize", is("280"))
                .body("rows[0].value", is("parenting"))
                .body("rows[0].index", is(60.0f))
                .body("rows[0].lower", is(48.56f));
        GetTgiRequest sent = (GetTgiRequest) FakeInsightGrpcService.requests.get(0);
        assertEquals("demo", sent.getTenant());
        assertEquals("demo-refined-mums", sent.getAudience());
        assertEquals(30, sent.getMinBase(), "proto names are read as well as lowerCamelCase");
        assertEquals(1, sent.getDimensionsCount());
    }

    @Test
    void theFunnelsQuestionTravelsWhole() {
        FakeInsightGrpcService.requests.clear();
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{\"steps\": [{\"event\": \"Product Added\", \"where\": [{\"property\": \"category\","
                        + " \"op\": \"eq\", \"values\": [\"skincare\"]}]}, {\"event\": \"Order Completed\"}],"
                        + " \"windowDays\": 7, \"order\": \"strict\"}")
                .post("/api/v1/insight/funnel")
                .then()
                .statusCode(200)
                .body("groups[0].steps[0].people", is("100"));
        GetFunnelRequest sent = (GetFunnelRequest) FakeInsightGrpcService.requests.get(0);
        assertEquals("skincare", sent.getSteps(0).getWhere(0).getValues(0));
        assertEquals(7, sent.getWindowDays());
    }

    @Test
    void refusalsNameTheField() {
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{\"audience\": \"a\", \"base\": \"bogus\"}")
                .post("/api/v1/insight/tgi")
                .then()
                .statusCode(400)
                .body("field", is("base"));
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{\"audience\": \"missing\"}")
                .post("/api/v1/insight/tgi")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{\"audience\": \"a\", \"tenant\": \"acme\"}")
                .post("/api/v1/insight/tgi")
                .then()
                .statusCode(400)
                .body("field", is("tenant"));
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("{\"audience\": \"a\", \"shoeSize\": 42}")
                .post("/api/v1/insight/tgi")
                .then()
                .statusCode(400)
                .body("detail", containsString("shoeSize"));
        given().auth()
                .oauth2(ana)
                .contentType("application/json")
                .body("[1, 2]")
                .post("/api/v1/insight/association-rules")
                .then()
                .statusCode(400)
                .body("field", is("body"));
    }

    @Test
    void costsComeAsCsvOrJsonFromMarketers() {
        FakeInsightGrpcService.requests.clear();
        String mia = KeycloakTokens.accessToken("mia");
        given().auth()
                .oauth2(mia)
                .contentType("text/csv")
                .body("day,channel,creator,cost\n2026-10-01,douyin,dage_haowu,1200.5\n2026-10-01,wechat_ads,,300\n")
                .post("/api/v1/insight/costs")
                .then()
                .statusCode(200)
                .body("imported", is("2"));
        ImportCostsRequest sent = (ImportCostsRequest) FakeInsightGrpcService.requests.get(0);
        assertEquals("demo", sent.getTenant());
        assertEquals("dage_haowu", sent.getRows(0).getCreator());
        assertEquals(1200.5, sent.getRows(0).getCost());
        assertEquals("", sent.getRows(1).getCreator());
        given().auth()
                .oauth2(mia)
                .contentType("text/csv")
                .body("day,channel,cost\n2026-10-01,douyin,12\n2026-10-02,douyin,lots\n")
                .post("/api/v1/insight/costs")
                .then()
                .statusCode(400)
                .body("field", is("rows[1].cost"));
        given().auth()
                .oauth2(mia)
                .contentType("text/csv")
                .body("when,channel,cost\n2026-10-01,douyin,12\n")
                .post("/api/v1/insight/costs")
                .then()
                .statusCode(400)
                .body("detail", containsString("day"));
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"rows\": [{\"day\": \"2026-10-01\", \"channel\": \"douyin\", \"cost\": -1}]}")
                .post("/api/v1/insight/costs")
                .then()
                .statusCode(400)
                .body("field", is("rows[0].cost"));
        given().auth()
                .oauth2(ana)
                .contentType("text/csv")
                .body("day,channel,cost\n2026-10-01,douyin,12\n")
                .post("/api/v1/insight/costs")
                .then()
                .statusCode(403);
    }

    @Test
    void everyRoleSeesTheActivityOverTime() {
        FakeInsightGrpcService.requests.clear();
        given().auth()
                .oauth2(vic)
                .queryParam("from", "2026-03-01T00:00:00+08:00")
                .queryParam("to", "2026-04-01T00:00:00Z")
                .queryParam("period", "day")
                .queryParam("topEvents", "2")
                .queryParam("audience", "vip")
                .queryParam("timeZone", "Asia/Shanghai")
                .get("/api/v1/insight/activity")
                .then()
                .statusCode(200)
                .body("topEvents", is(List.of("Content Viewed", "Order Completed")))
                .body("periods[0].start", is("2026-03-02"))
                .body("periods[0].events", is("19"))
                .body("periods[0].profiles", is("12"))
                .body("periods[0].byEvent[1].name", is("Order Completed"))
                .body("periods[0].byEvent[1].events", is("1"))
                .body("periods[1].start", is("2026-03-09"));
        GetActivityRequest sent = (GetActivityRequest) FakeInsightGrpcService.requests.get(0);
        assertEquals("demo", sent.getTenant());
        assertEquals(
                Instant.parse("2026-02-28T16:00:00Z").getEpochSecond(),
                sent.getFrom().getSeconds());
        assertEquals(
                Instant.parse("2026-04-01T00:00:00Z").getEpochSecond(),
                sent.getTo().getSeconds());
        assertEquals(
                List.of("day", 2, "vip", "Asia/Shanghai"),
                List.of(sent.getPeriod(), sent.getTopEvents(), sent.getAudience(), sent.getTimeZone()));

        // nothing asked: the service's defaults, the range unbounded
        FakeInsightGrpcService.requests.clear();
        given().auth()
                .oauth2(KeycloakTokens.accessToken("alice"))
                .get("/api/v1/insight/activity")
                .then()
                .statusCode(200);
        GetActivityRequest defaults = (GetActivityRequest) FakeInsightGrpcService.requests.get(0);
        assertEquals(GetActivityRequest.newBuilder().setTenant("demo").build(), defaults);

        // refused, naming the parameter: what is no number or no instant, what is out of bounds
        given().auth()
                .oauth2(vic)
                .queryParam("topEvents", "lots")
                .get("/api/v1/insight/activity")
                .then()
                .statusCode(400)
                .body("field", is("topEvents"));
        given().auth()
                .oauth2(vic)
                .queryParam("topEvents", "21")
                .get("/api/v1/insight/activity")
                .then()
                .statusCode(400)
                .body("field", is("topEvents"));
        given().auth()
                .oauth2(vic)
                .queryParam("from", "yesterday")
                .get("/api/v1/insight/activity")
                .then()
                .statusCode(400)
                .body("field", is("from"));
        given().get("/api/v1/insight/activity").then().statusCode(401);
    }

    @Test
    void viewersSeeTheStatusButAskNoQuestion() {
        FakeInsightGrpcService.requests.clear();
        given().auth()
                .oauth2(vic)
                .contentType("application/json")
                .body("{\"audience\": \"a\"}")
                .post("/api/v1/insight/tgi")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(vic)
                .get("/api/v1/insight/status")
                .then()
                .statusCode(200)
                .body("caughtUp", is(true));
        assertTrue(FakeInsightGrpcService.requests.stream().noneMatch(r -> r instanceof GetTgiRequest));
        given().contentType("application/json")
                .body("{\"audience\": \"a\"}")
                .post("/api/v1/insight/tgi")
                .then()
                .statusCode(401);
    }
}
