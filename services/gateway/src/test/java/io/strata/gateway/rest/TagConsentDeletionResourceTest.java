package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.profile.v1.SetTagsRequest;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tag, consent and deletion endpoints with real tokens and fake profile-service RPCs: what the
 * gateway sends, how it numbers refused rows, and who may call what. mia is a marketer of demo,
 * vic a viewer of demo, alice an admin of demo.
 */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class TagConsentDeletionResourceTest {

    private static String mia;
    private static String vic;
    private static String alice;

    @BeforeAll
    static void tokens() {
        mia = KeycloakTokens.accessToken("mia");
        vic = KeycloakTokens.accessToken("vic");
        alice = KeycloakTokens.accessToken("alice");
    }

    @Test
    void aCsvUploadSetsValuesAndNumbersTheRefusedLines() {
        FakeTagGrpcService.sets.clear();
        given().auth()
                .oauth2(mia)
                .contentType("text/csv")
                .body("userId,value\nu1,true\n,true\n\"u2\",bad\n")
                .post("/api/v1/tags/vip/values")
                .then()
                .statusCode(200)
                .body("applied", is(1))
                .body("changed", is(1))
                .body("refused", hasSize(2))
                .body("refused[0].row", is(1))
                .body("refused[0].line", is(3))
                .body("refused[0].field", is("profileId"))
                .body("refused[1].line", is(4))
                .body("refused[1].field", is("value"));
        assertEquals(1, FakeTagGrpcService.sets.size());
        SetTagsRequest sent = FakeTagGrpcService.sets.get(0);
        assertEquals("demo", sent.getTenant());
        assertEquals("vip", sent.getTagKey());
        assertEquals("import", sent.getSource());
        assertEquals(2, sent.getAssignmentsCount());
        assertEquals(
                IdentityType.IDENTITY_TYPE_USER_ID,
                sent.getAssignments(1).getProfile().getIdentity().getType());
        assertEquals("u2", sent.getAssignments(1).getProfile().getIdentity().getValue());

        // a CSV naming no profile column is refused whole
        given().auth()
                .oauth2(mia)
                .contentType("text/csv")
                .body("name,value\nx,true\n")
                .post("/api/v1/tags/vip/values")
                .then()
                .statusCode(400)
                .body("field", is("header"));
    }

    @Test
    void jsonRowsNameTheirFieldWhenRefused() {
        FakeTagGrpcService.sets.clear();
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body(
                        "{\"rows\":[{\"email\":\"A@b.cn\",\"value\":true},{\"userId\":\"u1\",\"phone\":\"1\",\"value\":\"true\"},"
                                + "{\"userId\":\"u3\",\"remove\":true}]}")
                .post("/api/v1/tags/vip/values")
                .then()
                .statusCode(200)
                .body("applied", is(2))
                .body("refused", hasSize(1))
                .body("refused[0].row", is(1))
                .body("refused[0].line", nullValue())
                .body("refused[0].field", is("rows[1].phone"));
        SetTagsRequest sent = FakeTagGrpcService.sets.get(0);
        assertEquals("manual", sent.getSource());
        assertEquals("true", sent.getAssignments(0).getValue());
        assertEquals(true, sent.getAssignments(1).getRemove());
    }

    @Test
    void viewersReadTheCatalogButSetNothing() {
        given().auth()
                .oauth2(vic)
                .get("/api/v1/tags")
                .then()
                .statusCode(200)
                .body("definitions[0].key", is("vip"))
                .body("definitions[0].valueType", is("boolean"));
        given().auth()
                .oauth2(vic)
                .contentType("text/csv")
                .body("userId,value\nu1,true\n")
                .post("/api/v1/tags/vip/values")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(vic)
                .contentType("application/json")
                .body(
                        "{\"updates\":[{\"userId\":\"u1\",\"channel\":\"sms\",\"purpose\":\"marketing\",\"granted\":true}]}")
                .post("/api/v1/consents")
                .then()
                .statusCode(403);
    }

    @Test
    void consentStatementsAreCheckedAndSent() {
        FakeProfileGrpcService.consents.clear();
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"updates\":[{\"userId\":\"u1\",\"channel\":\"sms\",\"purpose\":\"marketing\"}]}")
                .post("/api/v1/consents")
                .then()
                .statusCode(400)
                .body("field", is("updates[0].granted"));
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"updates\":[{\"userId\":\"u1\",\"channel\":\"sms\",\"purpose\":\"marketing\",\"granted\":true,"
                        + "\"at\":\"yesterday\"}]}")
                .post("/api/v1/consents")
                .then()
                .statusCode(400)
                .body("field", is("updates[0].at"));
        assertEquals(0, FakeProfileGrpcService.consents.size(), "nothing of a refused request is sent");
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body(
                        "{\"updates\":[{\"userId\":\"u1\",\"channel\":\"sms\",\"purpose\":\"marketing\",\"sender\":\"【蓝序】\","
                                + "\"granted\":false,\"source\":\"sms-reply\",\"at\":\"2026-12-01T08:00:00Z\"}]}")
                .post("/api/v1/consents")
                .then()
                .statusCode(200)
                .body("applied", is(1));
        var update = FakeProfileGrpcService.consents.get(0).getUpdates(0);
        assertEquals("【蓝序】", update.getSender());
        assertEquals(false, update.getGranted());
        assertEquals(1796112000L, update.getAt().getSeconds());
    }

    @Test
    void onlyAnAdminRequestsADeletion() {
        String body = "{\"email\":\"a@b.cn\",\"reason\":\"asked\"}";
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body(body)
                .post("/api/v1/deletion-requests")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body("{\"reason\":\"asked\"}")
                .post("/api/v1/deletion-requests")
                .then()
                .statusCode(400)
                .body("field", is("profileId"));
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body(body)
                .post("/api/v1/deletion-requests")
                .then()
                .statusCode(201)
                .body("status", is("completed"))
                .body("identityType", is("IDENTITY_TYPE_EMAIL"))
                .body("reason", is("asked"));
    }

    @Test
    void identityRulesAreReadByAllAndSetByAdminsInTheApisOwnNames() {
        given().auth()
                .oauth2(mia)
                .contentType("application/json")
                .body("{\"limits\": {\"deviceId\": 5}}")
                .put("/api/v1/identity-rules")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body("{\"limits\": {\"fax\": 5}}")
                .put("/api/v1/identity-rules")
                .then()
                .statusCode(400)
                .body("field", is("limits.fax"));
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body("{\"blocked\": [{\"type\": \"phone\"}]}")
                .put("/api/v1/identity-rules")
                .then()
                .statusCode(400)
                .body("field", is("blocked[0].value"));
        int version = given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body("{\"priority\": [\"phone\", \"userId\"], \"limits\": {\"userId\": 1, \"deviceId\": 5},"
                        + " \"blocked\": [{\"type\": \"phone\", \"value\": \"13900000000\"}]}")
                .put("/api/v1/identity-rules")
                .then()
                .statusCode(200)
                .body("priority", is(List.of("phone", "userId")))
                .body("limits.deviceId", is(5))
                .body("blocked[0].type", is("phone"))
                .body("updatedBy", is("alice"))
                .extract()
                .path("version");
        var sent = FakeProfileGrpcService.rules.get("demo");
        assertEquals(io.strata.proto.common.v1.IdentityType.IDENTITY_TYPE_PHONE, sent.getPriority(0));
        given().auth()
                .oauth2(vic)
                .get("/api/v1/identity-rules")
                .then()
                .statusCode(200)
                .body("limits.deviceId", is(5));
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body("{\"expectedVersion\": " + (version - 1) + "}")
                .put("/api/v1/identity-rules")
                .then()
                .statusCode(409);
    }

    @Test
    void profilesAreListedTheirMergesShownAndOnlyAdminsUnmerge() {
        given().auth()
                .oauth2(vic)
                .queryParam("tag", "vip_manual=true")
                .queryParam("known", "true")
                .queryParam("pageSize", "20")
                .get("/api/v1/profiles")
                .then()
                .statusCode(200)
                .body("items", hasSize(1))
                .body("nextPageToken", is(FakeProfileGrpcService.ID));
        var request = FakeProfileGrpcService.lists.get(FakeProfileGrpcService.lists.size() - 1);
        assertEquals(List.of("vip_manual=true"), request.getTagsList());
        assertEquals(20, request.getPageSize());
        assertEquals(true, request.getKnown());
        given().auth()
                .oauth2(vic)
                .queryParam("seenSince", "yesterday")
                .get("/api/v1/profiles")
                .then()
                .statusCode(400)
                .body("field", is("seenSince"));

        String path = "/api/v1/profiles/" + FakeProfileGrpcService.ID;
        given().auth()
                .oauth2(vic)
                .get(path + "/merges")
                .then()
                .statusCode(200)
                .body("merges[0].mergedProfileId", is(FakeProfileGrpcService.MERGED));
        String body = "{\"mergedProfileId\": \"" + FakeProfileGrpcService.MERGED + "\"}";
        for (String token : List.of(vic, mia)) {
            given().auth()
                    .oauth2(token)
                    .contentType("application/json")
                    .body(body)
                    .post(path + "/unmerge")
                    .then()
                    .statusCode(403);
        }
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body("{\"mergedProfileId\": \"nope\"}")
                .post(path + "/unmerge")
                .then()
                .statusCode(400)
                .body("field", is("mergedProfileId"));
        given().auth()
                .oauth2(alice)
                .contentType("application/json")
                .body(body)
                .post(path + "/unmerge")
                .then()
                .statusCode(200)
                .body("restored.id", is(FakeProfileGrpcService.MERGED))
                .body("eventsMoved", is("3"));
        given().auth().oauth2(mia).post("/api/v1/profiles/resends").then().statusCode(403);
        given().auth()
                .oauth2(alice)
                .post("/api/v1/profiles/resends")
                .then()
                .statusCode(202)
                .body("status", is("queued"))
                .body("requestedBy", is("alice"));
    }
}
