package io.strata.ingestion.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.strata.platform.errors.Errors;
import io.strata.proto.events.v1.Event;
import io.strata.proto.ingestion.v1.CreateSourceRequest;
import io.strata.proto.ingestion.v1.HistoryImportService;
import io.strata.proto.ingestion.v1.ImportFormat;
import io.strata.proto.ingestion.v1.ImportHeader;
import io.strata.proto.ingestion.v1.ImportHistoryRequest;
import io.strata.proto.ingestion.v1.ImportHistoryResponse;
import io.strata.proto.ingestion.v1.ImportSummary;
import io.strata.proto.ingestion.v1.RevokeSourceRequest;
import io.strata.proto.ingestion.v1.SourceAdminService;
import io.strata.testing.KafkaProbe;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.TestTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** History files streamed through the import API: what is published, reported, refused. */
@QuarkusTest
class HistoryImportGrpcServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @GrpcClient("ingestion")
    HistoryImportService client;

    @GrpcClient("ingestion")
    SourceAdminService adminClient;

    HistoryImportService imports;
    SourceAdminService admin;

    /** Imports as the gateway calls for alice, an administrator of tenant demo. */
    @BeforeEach
    void authorize() {
        var alice = KeycloakTokens.gatewayFor("alice");
        imports = GrpcClientUtils.attachHeaders(client, alice);
        admin = GrpcClientUtils.attachHeaders(adminClient, alice);
    }

    private String source(String tenant) {
        return admin.createSource(CreateSourceRequest.newBuilder()
                        .setTenant(tenant)
                        .setName("history-" + UUID.randomUUID())
                        .build())
                .await()
                .atMost(WAIT)
                .getSource()
                .getId();
    }

    private static ImportHistoryRequest header(String tenant, String sourceId, ImportFormat format) {
        return ImportHistoryRequest.newBuilder()
                .setHeader(ImportHeader.newBuilder()
                        .setTenant(tenant)
                        .setSourceId(sourceId)
                        .setFormat(format)
                        .setZone("+08:00"))
                .build();
    }

    /** The file in chunks of {@code chunk} bytes after the header. */
    private static List<ImportHistoryRequest> file(ImportHistoryRequest header, String content, int chunk) {
        List<ImportHistoryRequest> requests = new ArrayList<>();
        requests.add(header);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at < bytes.length; at += chunk) {
            requests.add(ImportHistoryRequest.newBuilder()
                    .setChunk(ByteString.copyFrom(bytes, at, Math.min(chunk, bytes.length - at)))
                    .build());
        }
        return requests;
    }

    private static ImportSummary run(HistoryImportService service, List<ImportHistoryRequest> requests) {
        List<ImportHistoryResponse> answers = service.importHistory(
                        Multi.createFrom().iterable(requests))
                .collect()
                .asList()
                .await()
                .atMost(WAIT);
        ImportHistoryResponse last = answers.get(answers.size() - 1);
        assertTrue(last.hasSummary(), "the last answer is the summary");
        return last.getSummary();
    }

    @Test
    void aCsvOfOrdersIsPublishedWithItsTimesAndItsBadRowsNamedByLine() throws Exception {
        String tenant = "demo";
        String sourceId = source(tenant);
        String run = UUID.randomUUID().toString().substring(0, 8);
        StringBuilder csv = new StringBuilder("order_id,user_id,email,order_time,product_id,category,price,quantity\n");
        for (int i = 0; i < 600; i++) {
            csv.append("o-")
                    .append(run)
                    .append('-')
                    .append(i)
                    .append(",u-")
                    .append(run)
                    .append('-')
                    .append(i % 50)
                    .append(",,2023-03-0")
                    .append(1 + i % 9)
                    .append(" 10:00:00,p1,tea,")
                    .append(10 + i % 7)
                    .append(",2\n");
        }
        csv.append("o-bad-").append(run).append(",u-x,,yesterday,p1,tea,1,1\n");
        csv.append("o-bad2-").append(run).append(",,,2023-03-01,p1,tea,1,1\n");

        try (KafkaProbe probe = new KafkaProbe(TestTopics.INCOMING)) {
            ImportSummary summary =
                    run(imports, file(header(tenant, sourceId, ImportFormat.IMPORT_FORMAT_CSV), csv.toString(), 4096));
            assertEquals(602, summary.getRows());
            assertEquals(600, summary.getAccepted());
            assertEquals(2, summary.getRejectedRows());
            assertEquals(602, summary.getRejections(0).getLine(), "the header is line 1");
            assertTrue(
                    summary.getRejections(0).getReason().contains("yesterday"),
                    summary.getRejections(0).getReason());
            assertEquals(603, summary.getRejections(1).getLine());
            assertEquals(csv.length(), summary.getBytes());

            var records = probe.await(r -> r.key().startsWith(sourceId + "/"), 600, WAIT);
            assertEquals(600, records.size(), "every accepted order is on the topic");
            Event first = Event.parseFrom(records.get(0).value());
            assertEquals(sourceId, first.getSourceId());
            assertTrue(
                    Instant.ofEpochSecond(first.getTimestamp().getSeconds())
                            .toString()
                            .startsWith("2023-03-0"),
                    "the order's own time is kept");

            // a second import of the file hands over the same keys (messageIds derived from the
            // order lines), which dedup-service drops before strata.events.v1
            ImportSummary again =
                    run(imports, file(header(tenant, sourceId, ImportFormat.IMPORT_FORMAT_CSV), csv.toString(), 65536));
            assertEquals(600, again.getAccepted());
            var resent = probe.await(r -> r.key().startsWith(sourceId + "/"), 600, WAIT);
            assertEquals(600, resent.size());
            assertEquals(600, keys(records).size(), "600 orders, 600 messageIds");
            assertEquals(keys(records), keys(resent), "the same messageIds, so nothing is published twice");
        }
    }

    private static Set<String> keys(List<ConsumerRecord<String, byte[]>> records) {
        Set<String> keys = new HashSet<>();
        records.forEach(r -> keys.add(r.key()));
        return keys;
    }

    @Test
    void aSourceLimitedBelowOneBatchStillImports() {
        String tenant = "demo";
        // 50 events/s with a 2 s burst: a batch of 500 would be refused for ever
        String sourceId = admin.createSource(CreateSourceRequest.newBuilder()
                        .setTenant(tenant)
                        .setName("slow-" + UUID.randomUUID())
                        .setRateLimitPerSecond(50)
                        .build())
                .await()
                .atMost(WAIT)
                .getSource()
                .getId();
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            jsonl.append("{\"type\":\"track\",\"userId\":\"u").append(i).append("\",\"event\":\"E\"}\n");
        }
        ImportSummary summary =
                run(imports, file(header(tenant, sourceId, ImportFormat.IMPORT_FORMAT_JSONL), jsonl.toString(), 4096));
        assertEquals(150, summary.getAccepted());
    }

    @Test
    void aFileThatCannotBeReadIsRefusedAsTheFilesFault() throws Exception {
        String tenant = "demo";
        String sourceId = source(tenant);
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(zipped)) {
            for (int i = 0; i < 2000; i++) {
                gzip.write(("{\"type\":\"track\",\"userId\":\"u" + i + "\",\"event\":\"E\"}\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] truncated = java.util.Arrays.copyOf(zipped.toByteArray(), zipped.size() / 2);
        List<ImportHistoryRequest> requests = List.of(
                header(tenant, sourceId, ImportFormat.IMPORT_FORMAT_JSONL),
                ImportHistoryRequest.newBuilder()
                        .setChunk(ByteString.copyFrom(truncated))
                        .build());
        assertRefused(Status.Code.INVALID_ARGUMENT, "file: the file cannot be read", requests);
    }

    @Test
    void anEventOverTheSizeLimitIsARefusedRow() {
        String tenant = "demo";
        String sourceId = source(tenant);
        String big = "x".repeat(40_000);
        String jsonl = "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"properties\":{\"note\":\"" + big
                + "\"}}\n" + "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\"}\n";
        ImportSummary summary =
                run(imports, file(header(tenant, sourceId, ImportFormat.IMPORT_FORMAT_JSONL), jsonl, 65536));
        assertEquals(1, summary.getAccepted());
        assertEquals(1, summary.getRejectedRows());
        assertEquals(1, summary.getRejections(0).getLine());
        assertTrue(
                summary.getRejections(0).getReason().contains("larger than"),
                summary.getRejections(0).getReason());
    }

    @Test
    void jsonlCallsAreValidatedAsTheHttpApiDoes() {
        String tenant = "demo";
        String sourceId = source(tenant);
        String jsonl = """
                {"type":"track","userId":"u1","event":"Signed Up","timestamp":"2024-01-02T03:04:05Z"}
                {"type":"track","userId":"u1"}
                {"type":"identify","traits":{"email":"a@b.c"}}
                not json
                {"type":"page","anonymousId":"a1","name":"Home"}
                """;
        ImportSummary summary =
                run(imports, file(header(tenant, sourceId, ImportFormat.IMPORT_FORMAT_JSONL), jsonl, 7));
        assertEquals(5, summary.getRows());
        assertEquals(2, summary.getAccepted());
        assertEquals(3, summary.getRejectedRows());
        assertEquals("event", summary.getRejections(0).getField());
        assertEquals(2, summary.getRejections(0).getLine());
        assertEquals("userId", summary.getRejections(1).getField());
        assertEquals(4, summary.getRejections(2).getLine());
    }

    @Test
    void aBadHeaderIsRefusedNamingTheField() {
        String tenant = "demo";
        String sourceId = source(tenant);
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "header.format",
                file(header(tenant, sourceId, ImportFormat.IMPORT_FORMAT_UNSPECIFIED), "x", 10));
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "header.source_id",
                file(header(tenant, "nope", ImportFormat.IMPORT_FORMAT_CSV), "x", 10));
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "header.zone",
                List.of(ImportHistoryRequest.newBuilder()
                        .setHeader(ImportHeader.newBuilder()
                                .setTenant(tenant)
                                .setSourceId(sourceId)
                                .setFormat(ImportFormat.IMPORT_FORMAT_CSV)
                                .setZone("Mars"))
                        .build()));
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "header",
                List.of(ImportHistoryRequest.newBuilder()
                        .setChunk(ByteString.copyFromUtf8("a,b\n"))
                        .build()));
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "file",
                file(header(tenant, sourceId, ImportFormat.IMPORT_FORMAT_CSV), "a,b\n1,2\n", 10));
        // bob, an administrator of acme, cannot import into demo's source, nor name demo as his tenant
        HistoryImportService bob = GrpcClientUtils.attachHeaders(client, KeycloakTokens.gatewayFor("bob"));
        assertRefused(
                bob,
                Status.Code.NOT_FOUND,
                "",
                file(header("acme", sourceId, ImportFormat.IMPORT_FORMAT_CSV), "x", 10));
        assertRefused(
                bob,
                Status.Code.PERMISSION_DENIED,
                "tenant demo",
                file(header(tenant, sourceId, ImportFormat.IMPORT_FORMAT_CSV), "x", 10));
        admin.revokeSource(RevokeSourceRequest.newBuilder()
                        .setTenant(tenant)
                        .setSourceId(sourceId)
                        .build())
                .await()
                .atMost(WAIT);
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "revoked",
                file(header(tenant, sourceId, ImportFormat.IMPORT_FORMAT_JSONL), "{}", 10));
    }

    @Test
    void aTenantRunsAsManyImportsAtOnceAsItsQuotaAllows() {
        String sourceId = source("demo");
        // two imports of demo stay open (demo's quota is the default, 2 at once)
        List<UnicastProcessor<ImportHistoryRequest>> open = new ArrayList<>();
        List<AssertSubscriber<ImportHistoryResponse>> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            UnicastProcessor<ImportHistoryRequest> requests = UnicastProcessor.create();
            answers.add(imports.importHistory(requests).subscribe().withSubscriber(AssertSubscriber.create(100)));
            requests.onNext(header("demo", sourceId, ImportFormat.IMPORT_FORMAT_JSONL));
            requests.onNext(ImportHistoryRequest.newBuilder()
                    .setChunk(ByteString.copyFromUtf8("{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\"}\n"))
                    .build());
            open.add(requests);
        }
        // they have their slots once they read their first chunk
        answers.forEach(a -> a.awaitItems(1, WAIT));
        StatusRuntimeException third = assertThrows(
                StatusRuntimeException.class,
                () -> run(imports, file(header("demo", sourceId, ImportFormat.IMPORT_FORMAT_JSONL), "{}", 10)));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, third.getStatus().getCode());
        assertEquals("TENANT_QUOTA", Errors.reason(third).orElse(null));
        assertTrue(Errors.retryAfter(third).isPresent(), "the caller is told when to retry");

        // another tenant is not held up by demo's imports
        HistoryImportService bob = GrpcClientUtils.attachHeaders(client, KeycloakTokens.gatewayFor("bob"));
        String acmeSource = GrpcClientUtils.attachHeaders(adminClient, KeycloakTokens.gatewayFor("bob"))
                .createSource(CreateSourceRequest.newBuilder()
                        .setTenant("acme")
                        .setName("history-" + UUID.randomUUID())
                        .build())
                .await()
                .atMost(WAIT)
                .getSource()
                .getId();
        String line = "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\"}\n";
        assertEquals(
                1,
                run(bob, file(header("acme", acmeSource, ImportFormat.IMPORT_FORMAT_JSONL), line, 100))
                        .getAccepted());

        // an import that ends gives its slot back
        open.forEach(UnicastProcessor::onComplete);
        answers.forEach(a -> a.awaitCompletion(WAIT));
        assertEquals(
                1,
                run(imports, file(header("demo", sourceId, ImportFormat.IMPORT_FORMAT_JSONL), line, 100))
                        .getAccepted());
    }

    @Test
    void onlyTheGatewayImportsForAUser() {
        List<ImportHistoryRequest> requests =
                file(header("demo", UUID.randomUUID().toString(), ImportFormat.IMPORT_FORMAT_JSONL), "{}", 10);
        StatusRuntimeException otherClient = assertThrows(
                StatusRuntimeException.class,
                () -> run(
                        GrpcClientUtils.attachHeaders(
                                client,
                                KeycloakTokens.forUser(
                                        KeycloakTokens.clientToken("strata-test-service"),
                                        KeycloakTokens.accessToken("alice"))),
                        requests));
        assertEquals(Status.Code.PERMISSION_DENIED, otherClient.getStatus().getCode());
        StatusRuntimeException noUser = assertThrows(
                StatusRuntimeException.class,
                () -> run(
                        GrpcClientUtils.attachHeaders(client, KeycloakTokens.bearer(KeycloakTokens.serviceToken())),
                        requests));
        assertEquals(Status.Code.PERMISSION_DENIED, noUser.getStatus().getCode());
    }

    @Test
    void aCallerWithoutAServiceTokenIsRefused() {
        List<ImportHistoryRequest> requests =
                file(header("t", UUID.randomUUID().toString(), ImportFormat.IMPORT_FORMAT_JSONL), "{}", 10);
        StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () -> run(client, requests));
        assertTrue(Set.of(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED)
                .contains(none.getStatus().getCode()));
        HistoryImportService asUser =
                GrpcClientUtils.attachHeaders(client, KeycloakTokens.bearer(KeycloakTokens.accessToken("alice")));
        StatusRuntimeException user = assertThrows(StatusRuntimeException.class, () -> run(asUser, requests));
        assertEquals(Status.Code.UNAUTHENTICATED, user.getStatus().getCode());
    }

    private void assertRefused(Status.Code code, String inDescription, List<ImportHistoryRequest> requests) {
        assertRefused(imports, code, inDescription, requests);
    }

    private static void assertRefused(
            HistoryImportService as, Status.Code code, String inDescription, List<ImportHistoryRequest> requests) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> run(as, requests));
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        String description = String.valueOf(e.getStatus().getDescription());
        assertTrue(description.contains(inDescription), description);
    }
}
