package io.strata.ingestion.grpc;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.strata.platform.errors.Errors;
import io.strata.proto.common.v1.PageRequest;
import io.strata.proto.ingestion.v1.CreateSourceRequest;
import io.strata.proto.ingestion.v1.CreateSourceResponse;
import io.strata.proto.ingestion.v1.ListSourcesRequest;
import io.strata.proto.ingestion.v1.RevokeSourceRequest;
import io.strata.proto.ingestion.v1.RotateWriteKeyRequest;
import io.strata.proto.ingestion.v1.SourceAdminService;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.TestTopics;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Sources and write keys through the admin API as the gateway calls it (its service token and the
 * signed-in administrator's token: alice of tenant demo, bob of acme), and what the keys then open.
 */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class SourceAdminGrpcServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @GrpcClient("ingestion")
    SourceAdminService client;

    /** As the gateway calls for alice, an administrator of demo. */
    SourceAdminService admin;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void authorize() {
        admin = GrpcClientUtils.attachHeaders(client, KeycloakTokens.gatewayFor("alice"));
    }

    @Test
    void onlyTheGatewayCreatesSourcesAndOnlyForTheSignedInAdministratorsTenant() {
        CreateSourceRequest request = CreateSourceRequest.newBuilder()
                .setTenant("demo")
                .setName("sneaky-" + run)
                .build();
        // no token at all
        StatusRuntimeException none = assertThrows(
                StatusRuntimeException.class,
                () -> client.createSource(request).await().atMost(WAIT));
        assertTrue(Set.of(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED)
                .contains(none.getStatus().getCode()));
        // a user's token is not a service token
        assertCode(
                Status.Code.UNAUTHENTICATED,
                () -> GrpcClientUtils.attachHeaders(client, KeycloakTokens.bearer(KeycloakTokens.accessToken("alice")))
                        .createSource(request)
                        .await()
                        .atMost(WAIT));
        // the token of any Strata service client but the gateway's, even with an admin's token
        StatusRuntimeException otherClient = assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> GrpcClientUtils.attachHeaders(
                                client,
                                KeycloakTokens.forUser(
                                        KeycloakTokens.clientToken("strata-test-service"),
                                        KeycloakTokens.accessToken("alice")))
                        .createSource(request)
                        .await()
                        .atMost(WAIT));
        assertEquals("CLIENT_NOT_ALLOWED", Errors.reason(otherClient).orElse(null));
        // the gateway's token without a user's, or for a user of another tenant, or below admin
        assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> GrpcClientUtils.attachHeaders(client, KeycloakTokens.bearer(KeycloakTokens.serviceToken()))
                        .createSource(request)
                        .await()
                        .atMost(WAIT));
        StatusRuntimeException acme = assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> GrpcClientUtils.attachHeaders(client, KeycloakTokens.gatewayFor("bob"))
                        .createSource(request)
                        .await()
                        .atMost(WAIT));
        assertEquals("TENANT_MISMATCH", Errors.reason(acme).orElse(null));
        StatusRuntimeException marketer = assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> GrpcClientUtils.attachHeaders(client, KeycloakTokens.gatewayFor("mia"))
                        .createSource(request)
                        .await()
                        .atMost(WAIT));
        assertEquals("ROLE_MISSING", Errors.reason(marketer).orElse(null));
        // and nothing was created by any of these
        assertEquals(
                0,
                admin
                        .listSources(ListSourcesRequest.newBuilder()
                                .setTenant("demo")
                                .setPage(PageRequest.newBuilder().setPageToken("sneaky-" + run.substring(0, 7)))
                                .build())
                        .await()
                        .atMost(WAIT)
                        .getSourcesList()
                        .stream()
                        .filter(s -> s.getName().equals("sneaky-" + run))
                        .count());
    }

    private CreateSourceResponse create(String name, int rateLimit) {
        return create(admin, "demo", name, rateLimit);
    }

    private static CreateSourceResponse create(SourceAdminService as, String tenant, String name, int rateLimit) {
        return as.createSource(CreateSourceRequest.newBuilder()
                        .setTenant(tenant)
                        .setName(name)
                        .setRateLimitPerSecond(rateLimit)
                        .build())
                .await()
                .atMost(WAIT);
    }

    static int track(String writeKey) {
        return given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body("{\"userId\":\"u1\",\"event\":\"X\"}")
                .post("/v1/track")
                .statusCode();
    }

    @Test
    void keysAreCreatedRotatedAndRevokedWithImmediateEffect() {
        CreateSourceResponse created = create("web-" + run, 0);
        assertEquals(200, track(created.getWriteKey()));

        var rotated = admin.rotateWriteKey(RotateWriteKeyRequest.newBuilder()
                        .setTenant("demo")
                        .setSourceId(created.getSource().getId())
                        .build())
                .await()
                .atMost(WAIT);
        assertNotEquals(created.getWriteKey(), rotated.getWriteKey());
        assertEquals(401, track(created.getWriteKey()), "the old key stops working at once");
        assertEquals(200, track(rotated.getWriteKey()));

        var revoked = admin.revokeSource(RevokeSourceRequest.newBuilder()
                        .setTenant("demo")
                        .setSourceId(created.getSource().getId())
                        .build())
                .await()
                .atMost(WAIT);
        assertTrue(revoked.getSource().hasRevokedAt());
        assertEquals(401, track(rotated.getWriteKey()), "a revoked source's key stops working at once");
        assertInvalid(
                "source_id",
                () -> admin.rotateWriteKey(RotateWriteKeyRequest.newBuilder()
                                .setTenant("demo")
                                .setSourceId(created.getSource().getId())
                                .build())
                        .await()
                        .atMost(WAIT));
    }

    @Test
    void sourcesAreListedPerTenantPageByPage() {
        for (String name : new String[] {"app", "store", "web"}) {
            create(run + "-" + name, 0);
        }
        create(GrpcClientUtils.attachHeaders(client, KeycloakTokens.gatewayFor("bob")), "acme", run + "-b", 0);
        // the cursor is the last name of the previous page: start just before this run's names
        var first = admin.listSources(ListSourcesRequest.newBuilder()
                        .setTenant("demo")
                        .setPage(PageRequest.newBuilder().setPageSize(2).setPageToken(run + "-"))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(2, first.getSourcesCount());
        assertEquals(run + "-app", first.getSources(0).getName());
        assertEquals(run + "-store", first.getPage().getNextPageToken());
        var second = admin.listSources(ListSourcesRequest.newBuilder()
                        .setTenant("demo")
                        .setPage(PageRequest.newBuilder()
                                .setPageSize(2)
                                .setPageToken(first.getPage().getNextPageToken()))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(run + "-web", second.getSources(0).getName(), "acme's source is not demo's");
        assertTrue(second.getSourcesList().stream().allMatch(s -> s.getTenant().equals("demo")));
    }

    @Test
    void anotherTenantsSourceCannotBeTouchedAndBadInputNamesTheField() {
        CreateSourceResponse mine = create("web-" + run, 0);
        SourceAdminService bob = GrpcClientUtils.attachHeaders(client, KeycloakTokens.gatewayFor("bob"));
        assertCode(
                Status.Code.NOT_FOUND,
                () -> bob.revokeSource(RevokeSourceRequest.newBuilder()
                                .setTenant("acme")
                                .setSourceId(mine.getSource().getId())
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(200, track(mine.getWriteKey()), "the source is untouched");

        assertInvalid("name", () -> create(" ", 0));
        assertInvalid("tenant", () -> create(admin, "", "web", 0));
        assertInvalid("rate_limit_per_second", () -> create("neg-" + run, -5));
        assertInvalid(
                "page.page_size",
                () -> admin.listSources(ListSourcesRequest.newBuilder()
                                .setTenant("demo")
                                .setPage(PageRequest.newBuilder().setPageSize(501))
                                .build())
                        .await()
                        .atMost(WAIT));
        assertInvalid(
                "source_id",
                () -> admin.revokeSource(RevokeSourceRequest.newBuilder()
                                .setTenant("demo")
                                .setSourceId("nope")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertInvalid("name", () -> create("web-" + run, 0));
    }

    @Test
    void aSourcesRateLimitStaysWithinItsTenantsQuota() {
        // acme's quota is 50 events per second (application.properties, %test)
        SourceAdminService bob = GrpcClientUtils.attachHeaders(client, KeycloakTokens.gatewayFor("bob"));
        StatusRuntimeException above =
                assertInvalid("rate_limit_per_second", () -> create(bob, "acme", "fast-" + run, 51));
        assertTrue(Errors.description(above).contains("quota of 50"), Errors.description(above));
        CreateSourceResponse one = create(bob, "acme", "one-" + run, 50);
        CreateSourceResponse two = create(bob, "acme", "two-" + run, 0);
        // each source may burst 100 (2 s of 50), but the two together only the tenant's 100
        assertEquals(200, batch(one.getWriteKey(), 80, true));
        given().auth()
                .preemptive()
                .basic(two.getWriteKey(), "")
                .contentType(ContentType.JSON)
                .body(body(80, true))
                .post("/v1/batch")
                .then()
                .statusCode(429)
                .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body("reason", org.hamcrest.Matchers.is("TENANT_QUOTA"));
    }

    @Test
    void aSourceOverItsRateLimitIsToldWhenToRetryAndRefusedEventsCountToo() {
        CreateSourceResponse slow = create("slow-" + run, 2);
        // more events than the source may ever send at once (its burst: 2 s of 2): too large, not "retry"
        given().auth()
                .preemptive()
                .basic(slow.getWriteKey(), "")
                .contentType(ContentType.JSON)
                .body(body(10, true))
                .post("/v1/batch")
                .then()
                .statusCode(413)
                .body("field", org.hamcrest.Matchers.is("batch"))
                .body("detail", org.hamcrest.Matchers.containsString("at most 4 events at once"));
        assertEquals(200, batch(slow.getWriteKey(), 4, true), "its burst passes");
        given().auth()
                .preemptive()
                .basic(slow.getWriteKey(), "")
                .contentType(ContentType.JSON)
                .body(body(4, true))
                .post("/v1/batch")
                .then()
                .statusCode(429)
                .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body("reason", org.hamcrest.Matchers.is("RATE_LIMITED"));

        // a batch of invalid events costs its tokens too: a flood of bad events is limited like any other
        CreateSourceResponse flooded = create("flood-" + run, 5);
        assertEquals(400, batch(flooded.getWriteKey(), 10, false), "within the burst: refused for what it is");
        assertEquals(429, batch(flooded.getWriteKey(), 10, false), "its tokens are spent");
    }

    private static int batch(String writeKey, int events, boolean valid) {
        return given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body(body(events, valid))
                .post("/v1/batch")
                .statusCode();
    }

    private static String body(int events, boolean valid) {
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < events; i++) {
            batch.append(i == 0 ? "" : ",")
                    .append(
                            valid
                                    ? "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"X\"}"
                                    : "{\"type\":\"track\",\"userId\":\"u1\"}");
        }
        return batch.append("]}").toString();
    }

    private static StatusRuntimeException assertInvalid(String field, Executable call) {
        StatusRuntimeException e = assertCode(Status.Code.INVALID_ARGUMENT, call);
        assertEquals(field, Errors.violations(e).get(0).field(), e.getMessage());
        return e;
    }

    private static StatusRuntimeException assertCode(Status.Code code, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getMessage());
        return e;
    }
}
