package io.strata.ingestion.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.ingestion.v1.CreateSourceRequest;
import io.strata.proto.ingestion.v1.IngestionService;
import io.strata.proto.ingestion.v1.ListSourcesRequest;
import io.strata.proto.ingestion.v1.RevokeSourceRequest;
import io.strata.proto.ingestion.v1.SendRequest;
import io.strata.proto.ingestion.v1.SendStreamRequest;
import io.strata.proto.ingestion.v1.SendSummary;
import io.strata.proto.ingestion.v1.SourceAdminService;
import io.strata.testing.KafkaProbe;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.TestTopics;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Partners' client-credentials tokens on the public IngestionService, against the real realm:
 * accepted for a source of the partner's tenant only, and never a way into the internal APIs.
 */
@QuarkusTest
class PartnerTokenGrpcTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String PARTNER = "strata-partner-demo"; // tenant demo, role strata-partner
    private static final Metadata.Key<String> SOURCE =
            Metadata.Key.of("strata-source", Metadata.ASCII_STRING_MARSHALLER);

    @GrpcClient("ingestion")
    IngestionService ingestion;

    @GrpcClient("ingestion")
    SourceAdminService admin;

    private String source(String tenant) {
        return GrpcClientUtils.attachHeaders(admin, KeycloakTokens.gatewayFor(tenant.equals("acme") ? "bob" : "alice"))
                .createSource(CreateSourceRequest.newBuilder()
                        .setTenant(tenant)
                        .setName("crm-" + UUID.randomUUID())
                        .build())
                .await()
                .atMost(WAIT)
                .getSource()
                .getId();
    }

    private IngestionService as(String token, String sourceId) {
        Metadata metadata = KeycloakTokens.bearer(token);
        if (sourceId != null) {
            metadata.put(SOURCE, sourceId);
        }
        return GrpcClientUtils.attachHeaders(ingestion, metadata);
    }

    private static SendRequest oneEvent(String run) {
        return SendRequest.newBuilder()
                .addEvents(Event.newBuilder()
                        .setType(EventType.EVENT_TYPE_TRACK)
                        .setUserId("crm-" + run)
                        .setMessageId(run)
                        .setEvent("Coupon Claimed")
                        .setTenant("acme")
                        .build())
                .build();
    }

    private static Status.Code refusal(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    @Test
    void aPartnersTokenSendsIntoASourceOfItsTenant() throws Exception {
        String source = source("demo");
        String run = UUID.randomUUID().toString();
        try (KafkaProbe probe = new KafkaProbe(TestTopics.INCOMING)) {
            SendSummary summary = as(KeycloakTokens.clientToken(PARTNER), source)
                    .send(oneEvent(run))
                    .await()
                    .atMost(WAIT)
                    .getSummary();
            assertEquals(1, summary.getAccepted());
            Event published = Event.parseFrom(
                    probe.await(r -> r.key().endsWith(run), 1, WAIT).get(0).value());
            assertEquals("demo", published.getTenant(), "the tenant comes from the token, not from the event");
            assertEquals(source, published.getSourceId());
        }
        SendSummary streamed = as(KeycloakTokens.clientToken(PARTNER), source)
                .sendStream(Multi.createFrom()
                        .item(SendStreamRequest.newBuilder()
                                .addAllEvents(
                                        oneEvent(UUID.randomUUID().toString()).getEventsList())
                                .build()))
                .await()
                .atMost(WAIT)
                .getSummary();
        assertEquals(1, streamed.getAccepted());
    }

    @Test
    void anotherTenantsSourceIsNotFoundAndARevokedOneIsRefused() {
        String token = KeycloakTokens.clientToken(PARTNER);
        String acme = source("acme");
        assertEquals(
                Status.Code.NOT_FOUND,
                refusal(() -> as(token, acme).send(oneEvent("x")).await().atMost(WAIT)));
        assertEquals(
                Status.Code.NOT_FOUND,
                refusal(() -> as(token, UUID.randomUUID().toString())
                        .send(oneEvent("x"))
                        .await()
                        .atMost(WAIT)));

        String revoked = source("demo");
        GrpcClientUtils.attachHeaders(admin, KeycloakTokens.gatewayFor("alice"))
                .revokeSource(RevokeSourceRequest.newBuilder()
                        .setTenant("demo")
                        .setSourceId(revoked)
                        .build())
                .await()
                .atMost(WAIT);
        StatusRuntimeException refused = assertThrows(
                StatusRuntimeException.class,
                () -> as(token, revoked).send(oneEvent("x")).await().atMost(WAIT));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertTrue(
                refused.getStatus().getDescription().startsWith("strata-source: "),
                refused.getStatus().getDescription());
    }

    @Test
    void thePartnerNamesTheSource() {
        String token = KeycloakTokens.clientToken(PARTNER);
        StatusRuntimeException missing = assertThrows(
                StatusRuntimeException.class,
                () -> as(token, null).send(oneEvent("x")).await().atMost(WAIT));
        assertEquals(Status.Code.INVALID_ARGUMENT, missing.getStatus().getCode());
        assertTrue(
                missing.getStatus().getDescription().startsWith("strata-source:"),
                missing.getStatus().getDescription());
        StatusRuntimeException malformed = assertThrows(
                StatusRuntimeException.class,
                () -> as(token, "not-a-uuid").send(oneEvent("x")).await().atMost(WAIT));
        assertEquals(Status.Code.INVALID_ARGUMENT, malformed.getStatus().getCode());
    }

    @Test
    void onlyPartnersTokensAreTakenAndTheyOpenNothingElse() {
        String demo = source("demo");
        // the gateway's service token is valid here, but it is no partner's
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refusal(() -> as(KeycloakTokens.serviceToken(), demo)
                        .send(oneEvent("x"))
                        .await()
                        .atMost(WAIT)));
        // a user's token has the gateway's audience; a forged one no valid signature
        assertEquals(
                Status.Code.UNAUTHENTICATED,
                refusal(() -> as(KeycloakTokens.accessToken("alice"), demo)
                        .send(oneEvent("x"))
                        .await()
                        .atMost(WAIT)));
        assertEquals(
                Status.Code.UNAUTHENTICATED,
                refusal(() -> as("eyJhbGciOiJSUzI1NiJ9.e30.c2ln", demo)
                        .send(oneEvent("x"))
                        .await()
                        .atMost(WAIT)));
        // nor does a partner's token open the internal APIs, even with a user's token beside it
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refusal(() -> GrpcClientUtils.attachHeaders(
                                admin,
                                KeycloakTokens.forUser(
                                        KeycloakTokens.clientToken(PARTNER), KeycloakTokens.accessToken("alice")))
                        .listSources(ListSourcesRequest.newBuilder()
                                .setTenant("demo")
                                .build())
                        .await()
                        .atMost(WAIT)));
    }
}
