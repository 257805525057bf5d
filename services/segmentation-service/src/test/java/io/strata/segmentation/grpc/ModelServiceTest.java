package io.strata.segmentation.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.proto.segmentation.v1.GetModelSettingsRequest;
import io.strata.proto.segmentation.v1.ListModelSettingsVersionsRequest;
import io.strata.proto.segmentation.v1.ModelService;
import io.strata.proto.segmentation.v1.ModelSettings;
import io.strata.proto.segmentation.v1.UpdateModelSettingsRequest;
import io.strata.segmentation.support.FeedTopics;
import io.strata.testing.KeycloakTokens;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Model settings through the service: versions over the defaults, every problem named and nothing
 * stored, a stale edit refused, marketers change and viewers read, each only their own tenant's.
 * The test database keeps earlier runs' versions: each step starts from the version it reads.
 */
@QuarkusTest
@QuarkusTestResource(value = FeedTopics.class, restrictToAnnotatedClass = true)
class ModelServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TENANT = "demo";
    private static final ObjectMapper JSON = new ObjectMapper();

    @GrpcClient("segmentation")
    ModelService client;

    private ModelService as(String user) {
        return GrpcClientUtils.attachHeaders(
                client, KeycloakTokens.forUser(KeycloakTokens.serviceToken(), KeycloakTokens.accessToken(user)));
    }

    private ModelSettings current(String user) {
        return as(user).getModelSettings(
                        GetModelSettingsRequest.newBuilder().setTenant(TENANT).build())
                .await()
                .atMost(WAIT)
                .getSettings();
    }

    private Uni<ModelSettings> update(String user, String settings, long expected) {
        return as(user).updateModelSettings(UpdateModelSettingsRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSettings(settings.replace('\'', '"'))
                        .setExpectedVersion(expected)
                        .build())
                .map(r -> r.getSettings());
    }

    private static StatusRuntimeException refused(Uni<?> call) {
        return assertThrows(StatusRuntimeException.class, () -> call.await().atMost(WAIT));
    }

    @Test
    void aNewVersionOverTheDefaults() throws Exception {
        ModelSettings before = current("vic");
        JsonNode all = JSON.readTree(before.getSettings());
        assertTrue(all.has("rfm") && all.has("clv"), before.getSettings());

        int window = 14 + (int) (before.getVersion() % 7);
        ModelSettings made = update("mia", "{'churn': {'window_days': " + window + "}}", before.getVersion())
                .await()
                .atMost(WAIT);
        assertEquals(before.getVersion() + 1, made.getVersion());
        assertFalse(made.getCreatedBy().isBlank());
        JsonNode stored = JSON.readTree(current("vic").getSettings());
        assertEquals(window, stored.at("/churn/window_days").asInt());
        // what was left out took its default, not the earlier version's value
        assertEquals(365, stored.at("/rfm/window_days").asInt());
        assertEquals(15, stored.at("/aipl/awareness_days").asInt());

        List<ModelSettings> versions = as("vic")
                .listModelSettingsVersions(ListModelSettingsVersionsRequest.newBuilder()
                        .setTenant(TENANT)
                        .build())
                .await()
                .atMost(WAIT)
                .getVersionsList();
        assertEquals(made.getVersion(), versions.get(0).getVersion());
        assertTrue(versions.size() >= 1 && versions.get(versions.size() - 1).getVersion() == 1, "oldest last");

        // an edit made on the version before is refused, and stores nothing
        StatusRuntimeException stale =
                refused(update("mia", "{}", before.getVersion() == 0 ? 99 : before.getVersion()));
        assertEquals(Status.Code.FAILED_PRECONDITION, stale.getStatus().getCode());
        assertEquals(made.getVersion(), current("vic").getVersion());
    }

    @Test
    void everyProblemIsNamedAndNothingIsStored() {
        long version = current("vic").getVersion();
        StatusRuntimeException invalid = refused(update(
                "mia", "{'rfm': {'window_days': 'a year'}, 'lifecycle': {'hours': 3}, 'churn': {'max_share': 2}}", 0));
        assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());
        assertEquals(
                Set.of("settings.rfm.window_days", "settings.lifecycle.hours", "settings.churn.max_share"),
                Errors.violations(invalid).stream().map(Errors.Violation::field).collect(Collectors.toSet()));
        StatusRuntimeException tooLong = refused(update("mia", "{'rfm': {'window_days': 500}}", 0));
        assertEquals(
                "settings.rfm.window_days", Errors.violations(tooLong).get(0).field());
        StatusRuntimeException notJson = refused(update("mia", "{rfm", 0));
        assertEquals("settings", Errors.violations(notJson).get(0).field());
        StatusRuntimeException negative = refused(update("mia", "{}", -1));
        assertEquals("expected_version", Errors.violations(negative).get(0).field());
        assertEquals(version, current("vic").getVersion());
    }

    @Test
    void marketersChangeViewersReadEachTheirOwnTenant() {
        long version = current("vic").getVersion();
        StatusRuntimeException viewer = refused(update("vic", "{}", 0));
        assertEquals(Status.Code.PERMISSION_DENIED, viewer.getStatus().getCode());
        StatusRuntimeException otherTenant = refused(as("bob")
                .getModelSettings(
                        GetModelSettingsRequest.newBuilder().setTenant(TENANT).build()));
        assertEquals(Status.Code.PERMISSION_DENIED, otherTenant.getStatus().getCode());
        StatusRuntimeException noTenant = refused(
                as("vic").getModelSettings(GetModelSettingsRequest.newBuilder().build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, noTenant.getStatus().getCode());
        assertEquals(version, current("vic").getVersion());
    }
}
