package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.proto.segmentation.v1.CreateSegmentRequest;
import io.strata.proto.segmentation.v1.GetSizeHistoryRequest;
import io.strata.proto.segmentation.v1.SegmentKind;
import io.strata.proto.segmentation.v1.SegmentState;
import io.strata.proto.segmentation.v1.SetStaticMembersRequest;
import io.strata.proto.segmentation.v1.StaticMode;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audience endpoints with real tokens and a fake segmentation-service: what the gateway
 * sends, the JSON it answers (definitions as JSON, lower-case states), and who may call what.
 */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class SegmentResourceTest {

    private static String mia;
    private static String vic;

    @BeforeAll
    static void tokens() {
        mia = KeycloakTokens.accessToken("mia");
        vic = KeycloakTokens.accessToken("vic");
    }

    @Test
    void aMarketerCreatesAnAudienceWithItsDefinitionAsJson() {
        FakeSegmentationGrpcService.requests.clear();
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"id\": \"sh\", \"name\": \"Shanghai\", \"state\": \"active\","
                        + " \"definition\": {\"field\": \"traits.city\", \"op\": \"eq\", \"value\": \"Shanghai\"}}")
                .post("/api/v1/segments")
                .then()
                .statusCode(201)
                .body("id", is("sh"))
                .body("state", is("active"))
                .body("kind", is("rule"))
                .body("definition.field", is("traits.city"));
        CreateSegmentRequest sent = (CreateSegmentRequest) FakeSegmentationGrpcService.requests.get(0);
        assertEquals("demo", sent.getTenant());
        assertEquals(SegmentState.SEGMENT_STATE_ACTIVE, sent.getState());
        assertEquals(SegmentKind.SEGMENT_KIND_RULE, sent.getKind());
        assertEquals("{\"field\":\"traits.city\",\"op\":\"eq\",\"value\":\"Shanghai\"}", sent.getDefinition());
    }

    @Test
    void aViewerReadsTheSizeHistoryAndABadRangeIsRefusedNamingDays() {
        FakeSegmentationGrpcService.requests.clear();
        given().auth()
                .oauth2(vic)
                .get("/api/v1/segments/vip/sizes?days=7")
                .then()
                .statusCode(200)
                .body("items.day", contains("2026-12-02", "2026-12-03"))
                .body("items[1].size", is("42"));
        GetSizeHistoryRequest sent = (GetSizeHistoryRequest) FakeSegmentationGrpcService.requests.get(0);
        assertEquals("demo", sent.getTenant());
        assertEquals("vip", sent.getSegmentId());
        assertEquals(7, sent.getDays());
        given().auth()
                .oauth2(vic)
                .get("/api/v1/segments/vip/sizes?days=week")
                .then()
                .statusCode(400)
                .body("field", is("days"));
        given().auth()
                .oauth2(vic)
                .get("/api/v1/segments/vip/sizes?days=400")
                .then()
                .statusCode(400)
                .body("field", is("days"));
    }

    @Test
    void theServicesRefusalNamesThePlaceInTheDefinition() {
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"id\": \"x\", \"name\": \"x\", \"definition\": {\"field\": \"traits.nope\"}}")
                .post("/api/v1/segments")
                .then()
                .statusCode(400)
                .body("field", is("definition.field"));
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"id\": \"x\", \"name\": \"x\", \"definition\": \"traits.city = 1\"}")
                .post("/api/v1/segments")
                .then()
                .statusCode(400)
                .body("field", is("definition"));
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"id\": \"x\", \"name\": \"x\", \"state\": \"gone\"}")
                .post("/api/v1/segments")
                .then()
                .statusCode(400)
                .body("field", is("state"));
    }

    @Test
    void aViewerReadsButDoesNotChange() {
        given().auth()
                .oauth2(vic)
                .get("/api/v1/segments")
                .then()
                .statusCode(200)
                .body("items[0].id", is("vip"))
                .body("items[0].size", is("3"))
                .body("items[0].definition.op", is("eq"));
        given().auth().oauth2(vic).get("/api/v1/segments/nobody").then().statusCode(404);
        given().auth()
                .oauth2(vic)
                .contentType("application/json")
                .body("{\"id\": \"x\", \"name\": \"x\", \"definition\": {\"all\": []}}")
                .post("/api/v1/segments")
                .then()
                .statusCode(403);
        given().get("/api/v1/segments").then().statusCode(401);
    }

    @Test
    void previewExportAndStaticMembers() {
        FakeSegmentationGrpcService.requests.clear();
        given().auth()
                .oauth2(vic)
                .contentType("application/json")
                .body("{\"definition\": {\"field\": \"traits.age\", \"op\": \"gte\", \"value\": 30}}")
                .post("/api/v1/segments/preview")
                .then()
                .statusCode(200)
                .body("size", is("42"));
        given().auth()
                .oauth2(vic)
                .get("/api/v1/segments/vip/members.csv")
                .then()
                .statusCode(200)
                .body(is("profileId\nu1\nu2\nu3\n"));
        given().auth()
                .oauth2(vic)
                .get("/api/v1/segments/vip/members")
                .then()
                .statusCode(200)
                .body(containsString("{\"profileId\":\"u3\"}"));
        given().auth()
                .oauth2(mia)
                .contentType("text/csv")
                .body("profileId,name\np1,Ann\n\"p2\",Bo\n\n")
                .queryParam("mode", "add")
                .put("/api/v1/segments/vip/members")
                .then()
                .statusCode(200)
                .body("size", is("2"));
        SetStaticMembersRequest sent = FakeSegmentationGrpcService.requests.stream()
                .filter(r -> r instanceof SetStaticMembersRequest)
                .map(r -> (SetStaticMembersRequest) r)
                .findFirst()
                .orElseThrow();
        assertEquals(StaticMode.STATIC_MODE_ADD, sent.getMode());
        assertEquals(java.util.List.of("p1", "p2"), sent.getProfileIdsList());
        given().auth()
                .oauth2(mia)
                .contentType("text/csv")
                .body("profileId\n\n")
                .put("/api/v1/segments/vip/members")
                .then()
                .statusCode(400)
                .body("field", is("body"));
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"mode\": \"swap\", \"profileIds\": [\"p1\"]}")
                .put("/api/v1/segments/vip/members")
                .then()
                .statusCode(400)
                .body("field", is("mode"));
    }
}
