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
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.strata.proto.common.v1.PageRequest;
import io.strata.proto.ingestion.v1.CreateSourceRequest;
import io.strata.proto.ingestion.v1.CreateSourceResponse;
import io.strata.proto.ingestion.v1.ListSourcesRequest;
import io.strata.proto.ingestion.v1.RevokeSourceRequest;
import io.strata.proto.ingestion.v1.RotateWriteKeyRequest;
import io.strata.proto.ingestion.v1.SourceAdminService;
import io.strata.testing.KeycloakTokens;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sources and write keys through the admin API, and what the keys then open. */
@QuarkusTest
class SourceAdminGrpcServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @GrpcClient("ingestion")
    SourceAdminService client;

    /** The client as the gateway calls: with a service token. */
    SourceAdminService admin;

    @BeforeEach
    void authorize() {
        admin = GrpcClientUtils.attachHeaders(client, KeycloakTokens.bearer(KeycloakTokens.serviceToken()));
    }

    @Test
    void callsWithoutAServiceTokenAreRefused() {
        CreateSourceRequest request = CreateSourceRequest.newBuilder()
                .setTenant("t-x")
                .setName("sneaky")
                .build();
        StatusRuntimeException none = assertThrows(
                StatusRuntimeException.class,
                () -> client.createSource(request).await().atMost(WAIT));
        // Quarkus answers PERMISSION_DENIED for an anonymous caller of an @Authenticated service
        assertTrue(
                java.util.Set.of(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED)
                        .contains(none.getStatus().getCode()),
                none.getMessage());
        SourceAdminService asUser =
                GrpcClientUtils.attachHeaders(client, KeycloakTokens.bearer(KeycloakTokens.accessToken("alice")));
        StatusRuntimeException user = assertThrows(
                StatusRuntimeException.class,
                () -> asUser.createSource(request).await().atMost(WAIT));
        assertEquals(Status.Code.UNAUTHENTICATED, user.getStatus().getCode(), "a user's token is not a service token");
    }

    private CreateSourceResponse create(String tenant, String name, int rateLimit) {
        return admin.createSource(CreateSourceRequest.newBuilder()
                        .setTenant(tenant)
                        .setName(name)
                        .setRateLimitPerSecond(rateLimit)
                        .build())
                .await()
                .atMost(WAIT);
    }

    private static int track(String writeKey) {
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
        String tenant = "t-" + UUID.randomUUID();
        CreateSourceResponse created = create(tenant, "web", 0);
        assertEquals(200, track(created.getWriteKey()));

        var rotated = admin.rotateWriteKey(RotateWriteKeyRequest.newBuilder()
                        .setTenant(tenant)
                        .setSourceId(created.getSource().getId())
                        .build())
                .await()
                .atMost(WAIT);
        assertNotEquals(created.getWriteKey(), rotated.getWriteKey());
        assertEquals(401, track(created.getWriteKey()), "the old key stops working at once");
        assertEquals(200, track(rotated.getWriteKey()));

        var revoked = admin.revokeSource(RevokeSourceRequest.newBuilder()
                        .setTenant(tenant)
                        .setSourceId(created.getSource().getId())
                        .build())
                .await()
                .atMost(WAIT);
        assertTrue(revoked.getSource().hasRevokedAt());
        assertEquals(401, track(rotated.getWriteKey()), "a revoked source's key stops working at once");
    }

    @Test
    void sourcesAreListedPerTenantPageByPage() {
        String tenant = "t-" + UUID.randomUUID();
        for (String name : new String[] {"app", "store", "web"}) {
            create(tenant, name, 0);
        }
        create("t-" + UUID.randomUUID(), "other-tenant", 0);
        var first = admin.listSources(ListSourcesRequest.newBuilder()
                        .setTenant(tenant)
                        .setPage(PageRequest.newBuilder().setPageSize(2))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(2, first.getSourcesCount());
        assertEquals("app", first.getSources(0).getName());
        var second = admin.listSources(ListSourcesRequest.newBuilder()
                        .setTenant(tenant)
                        .setPage(PageRequest.newBuilder()
                                .setPageSize(2)
                                .setPageToken(first.getPage().getNextPageToken()))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(1, second.getSourcesCount());
        assertEquals("web", second.getSources(0).getName());
        assertEquals("", second.getPage().getNextPageToken());
    }

    @Test
    void anotherTenantsSourceCannotBeTouchedAndBadInputNamesTheField() {
        CreateSourceResponse mine = create("t-" + UUID.randomUUID(), "web", 0);
        StatusRuntimeException notFound = assertThrows(
                StatusRuntimeException.class,
                () -> admin.revokeSource(RevokeSourceRequest.newBuilder()
                                .setTenant("t-" + UUID.randomUUID())
                                .setSourceId(mine.getSource().getId())
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.NOT_FOUND, notFound.getStatus().getCode());
        assertEquals(200, track(mine.getWriteKey()), "the source is untouched");

        assertInvalid("name", () -> create("t-x", " ", 0));
        assertInvalid("tenant", () -> create("", "web", 0));
        assertInvalid("rateLimitPerSecond", () -> create("t-x", "web", -5));
        assertInvalid(
                "source_id",
                () -> admin.revokeSource(RevokeSourceRequest.newBuilder()
                                .setTenant("t-x")
                                .setSourceId("nope")
                                .build())
                        .await()
                        .atMost(WAIT));
        String tenant = "t-" + UUID.randomUUID();
        create(tenant, "web", 0);
        assertInvalid("name", () -> create(tenant, "web", 0));
    }

    @Test
    void aSourceOverItsRateLimitIsToldWhenToRetry() {
        CreateSourceResponse slow = create("t-" + UUID.randomUUID(), "slow", 2);
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 10; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"X\"}");
        }
        given().auth()
                .preemptive()
                .basic(slow.getWriteKey(), "")
                .contentType(ContentType.JSON)
                .body(batch.append("]}").toString())
                .post("/v1/batch")
                .then()
                .statusCode(429)
                .header("Retry-After", "5");
        assertEquals(200, track(slow.getWriteKey()), "within the limit the source is served");
    }

    private static void assertInvalid(String field, org.junit.jupiter.api.function.Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        assertTrue(
                e.getStatus().getDescription().startsWith(field + ":"),
                e.getStatus().getDescription());
    }
}
