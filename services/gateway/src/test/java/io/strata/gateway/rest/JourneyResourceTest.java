package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.proto.campaign.v1.GetExperimentResultsRequest;
import io.strata.proto.campaign.v1.JourneyStatus;
import io.strata.proto.campaign.v1.ListJourneyInstancesRequest;
import io.strata.proto.campaign.v1.SaveJourneyRequest;
import io.strata.proto.campaign.v1.SetJourneyClockRequest;
import io.strata.proto.campaign.v1.SetJourneyStatusRequest;
import io.strata.proto.campaign.v1.SetTemplateRequest;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The journey endpoints with real tokens and a fake campaign-service: the definition reaches the
 * service whole with the user's tenant, a refusal names the field, a journey of another key is
 * refused before any call, viewers read and may not change.
 */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class JourneyResourceTest {

    private static final String DEFINITION = "{\"key\": \"j1\", \"nodes\": [{\"id\": \"start\", \"type\": \"exit\"}]}";

    private static String alice;
    private static String mia;
    private static String vic;

    @BeforeAll
    static void tokens() {
        alice = KeycloakTokens.accessToken("alice");
        mia = KeycloakTokens.accessToken("mia");
        vic = KeycloakTokens.accessToken("vic");
    }

    @Test
    void aMarketerSavesPublishesAndArchives() throws Exception {
        FakeCampaignGrpcService.requests.clear();
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body(DEFINITION)
                .put("/api/v1/journeys/j1")
                .then()
                .statusCode(200)
                .body("journey.key", is("j1"))
                .body("journey.status", is("JOURNEY_STATUS_DRAFT"));
        var saved = (SaveJourneyRequest) FakeCampaignGrpcService.requests.get(0);
        assertEquals("demo", saved.getTenant());
        assertEquals(
                "exit",
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(saved.getDefinition())
                        .path("nodes")
                        .path(0)
                        .path("type")
                        .asText(),
                "the definition reaches the service whole");
        given().auth()
                .oauth2(mia)
                .post("/api/v1/journeys/j1/publish")
                .then()
                .statusCode(200)
                .body("version", is(1));
        given().auth()
                .oauth2(mia)
                .post("/api/v1/journeys/j1/archive")
                .then()
                .statusCode(200)
                .body("journey.status", is("JOURNEY_STATUS_ARCHIVED"));
        var archived = (SetJourneyStatusRequest) FakeCampaignGrpcService.requests.get(2);
        assertEquals(JourneyStatus.JOURNEY_STATUS_ARCHIVED, archived.getStatus());

        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"body\": \"Welcome 回T退订\", \"approved\": true}")
                .put("/api/v1/templates/sms/welcome")
                .then()
                .statusCode(200)
                .body("template.template", is("welcome"));
        var template = (SetTemplateRequest) FakeCampaignGrpcService.requests.get(3);
        assertEquals("sms", template.getTemplate().getChannel());
        assertEquals(true, template.getTemplate().getApproved());
    }

    @Test
    void refusalsNameTheField() {
        FakeCampaignGrpcService.requests.clear();
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"key\": \"j1\"}")
                .post("/api/v1/journeys")
                .then()
                .statusCode(400)
                .body("field", is("nodes"));
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"key\": \"j1\", \"nodes\": [{\"id\": \"wait\", \"type\": \"wait\", \"for\": \"soon\"}]}")
                .post("/api/v1/journeys")
                .then()
                .statusCode(400)
                .body("field", is("nodes.wait.for"));
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body(DEFINITION)
                .put("/api/v1/journeys/other")
                .then()
                .statusCode(400)
                .body("field", is("key"));
        given().auth()
                .oauth2(vic)
                .get("/api/v1/journeys/j1/instances?pageSize=5000")
                .then()
                .statusCode(400)
                .body("field", is("pageSize"));
        assertEquals(2, FakeCampaignGrpcService.requests.size(), "only the first two reached the service");
        given().auth().oauth2(vic).get("/api/v1/journeys/missing").then().statusCode(404);
    }

    @Test
    void aViewerReadsStatsInstancesAndExperiments() {
        FakeCampaignGrpcService.requests.clear();
        given().auth()
                .oauth2(vic)
                .get("/api/v1/journeys/j1/stats")
                .then()
                .statusCode(200)
                .body("versions[0].instancesActive", is("3"));
        given().auth()
                .oauth2(vic)
                .get("/api/v1/journeys/j1/instances?node=wait&status=ACTIVE&status=EXITED&pageSize=10")
                .then()
                .statusCode(200);
        var listed = (ListJourneyInstancesRequest) FakeCampaignGrpcService.requests.get(1);
        assertEquals("wait", listed.getNode());
        assertEquals(List.of("ACTIVE", "EXITED"), listed.getStatusesList());
        assertEquals(10, listed.getPageSize());
        given().auth()
                .oauth2(vic)
                .get("/api/v1/experiments/j1?alpha=0.01")
                .then()
                .statusCode(200)
                .body("splits[0].arms[1].verdict", is("BETTER"));
        assertEquals(0.01, ((GetExperimentResultsRequest) FakeCampaignGrpcService.requests.get(2)).getAlpha());
        given().auth().oauth2(vic).post("/api/v1/journeys/j1/publish").then().statusCode(403);
    }

    @Test
    void anAdminHoldsTheJourneyClockAndEveryoneReadsIt() {
        FakeCampaignGrpcService.requests.clear();
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body("{\"heldAt\": \"2026-11-01T02:00:00Z\"}")
                .put("/api/v1/journey-clock")
                .then()
                .statusCode(200)
                .body("clock.heldAt", is("2026-11-01T02:00:00Z"));
        assertEquals(
                "2026-11-01T02:00:00Z",
                com.google.protobuf.util.Timestamps.toString(
                        ((SetJourneyClockRequest) FakeCampaignGrpcService.requests.get(0)).getHeldAt()));
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body("{\"heldAt\": \"yesterday\"}")
                .put("/api/v1/journey-clock")
                .then()
                .statusCode(400)
                .body("field", is("heldAt"));
        given().auth().oauth2(alice).delete("/api/v1/journey-clock").then().statusCode(200);
        assertEquals(false, ((SetJourneyClockRequest) FakeCampaignGrpcService.requests.get(1)).hasHeldAt());
        given().auth()
                .oauth2(vic)
                .get("/api/v1/journey-clock")
                .then()
                .statusCode(200)
                .body("clock.due", is("3"));
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"heldAt\": \"2026-11-01T02:00:00Z\"}")
                .put("/api/v1/journey-clock")
                .then()
                .statusCode(403);
    }

    @Test
    void aMarketerRecordsReceiptsAndRepliesAsTheContractsJson() {
        FakeCampaignGrpcService.requests.clear();
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"replies\": [{\"channel\": \"sms\", \"from\": \"+8613800000001\", \"sender\": \"【蓝序】\","
                        + " \"text\": \"退订\", \"at\": \"2026-12-01T08:00:00Z\"}]}")
                .post("/api/v1/messages/replies")
                .then()
                .statusCode(200)
                .body("optedOut", is(1));
        var sent = (io.strata.proto.campaign.v1.RecordRepliesRequest) FakeCampaignGrpcService.requests.get(0);
        assertEquals("demo", sent.getTenant());
        assertEquals("退订", sent.getReplies(0).getText());
        assertEquals("【蓝序】", sent.getReplies(0).getSender());
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"tenant\": \"acme\", \"receipts\": []}")
                .post("/api/v1/messages/receipts")
                .then()
                .statusCode(400)
                .body("field", is("tenant"));
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"receipts\": [{\"sendKey\": 7, \"colour\": \"red\"}]}")
                .post("/api/v1/messages/receipts")
                .then()
                .statusCode(400);
        given().auth()
                .oauth2(vic)
                .contentType("application/json")
                .body("{\"receipts\": [{\"sendKey\": \"k1\", \"status\": \"delivered\"}]}")
                .post("/api/v1/messages/receipts")
                .then()
                .statusCode(403);
    }

    @Test
    void aBroadcastIsCreatedFromItsShortFormAndPreviewedByAnyone() {
        FakeCampaignGrpcService.requests.clear();
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body(
                        "{\"key\": \"spring-sale\", \"audience\": \"vip\", \"channel\": \"sms\", \"template\": \"spring\","
                                + " \"sender\": \"【蓝序】\", \"at\": \"2026-12-24T10:00:00+08:00\","
                                + " \"arms\": [{\"name\": \"sms\", \"weight\": 9}, {\"name\": \"control\", \"weight\": 1,"
                                + " \"control\": true}], \"goalEvent\": \"Order Completed\", \"goalWithin\": \"P7D\"}")
                .post("/api/v1/broadcasts")
                .then()
                .statusCode(200)
                .body("version", is(1));
        var created = (io.strata.proto.campaign.v1.CreateBroadcastRequest) FakeCampaignGrpcService.requests.get(0);
        assertEquals("demo", created.getTenant());
        assertEquals(2, created.getArmsCount());
        assertEquals(true, created.getArms(1).getControl());
        assertEquals("2026-12-24T02:00:00Z", com.google.protobuf.util.Timestamps.toString(created.getAt()));
        given().auth()
                .oauth2(vic)
                .contentType("application/json")
                .body("{\"audience\": \"vip\", \"channel\": \"sms\"}")
                .post("/api/v1/broadcasts/preview")
                .then()
                .statusCode(200)
                .body("reachable", is("20"))
                .body("suppressed.no_consent", is("10"));
        given().auth()
                .oauth2(vic)
                .get("/api/v1/broadcasts")
                .then()
                .statusCode(200)
                .body("runs[0].members", is(30));
        given().auth()
                .oauth2(vic)
                .contentType("application/json")
                .body("{\"key\": \"b2\", \"audience\": \"vip\", \"channel\": \"sms\", \"template\": \"t\"}")
                .post("/api/v1/broadcasts")
                .then()
                .statusCode(403);
    }

    @Test
    void anAdminSetsADestinationAndReplaysItAndAMarketerMayNot() {
        FakeCampaignGrpcService.requests.clear();
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body("{\"url\": \"https://crm.example/hook\", \"format\": \"segment\", \"audiences\": [\"vip\"],"
                        + " \"rotateSecret\": true}")
                .put("/api/v1/destinations/crm")
                .then()
                .statusCode(200)
                .body("destination.secret", is("whsec_x"));
        var set = (io.strata.proto.campaign.v1.SetDestinationRequest) FakeCampaignGrpcService.requests.get(0);
        assertEquals("crm", set.getDestination().getId());
        assertEquals("segment", set.getDestination().getFormat());
        assertEquals(true, set.getDestination().getEnabled());
        assertEquals(true, set.getRotateSecret());
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body("{\"from\": \"last week\"}")
                .post("/api/v1/destinations/crm/replay")
                .then()
                .statusCode(400)
                .body("field", is("from"));
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body("{\"url\": \"https://crm.example/hook\", \"colour\": \"red\"}")
                .put("/api/v1/destinations/crm")
                .then()
                .statusCode(400);
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"url\": \"https://crm.example/hook\"}")
                .put("/api/v1/destinations/crm")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(vic)
                .get("/api/v1/destinations")
                .then()
                .statusCode(200)
                .body("destinations[0].id", is("crm"));
    }
}
