package io.strata.segmentation.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.kafka.Keys;
import io.strata.proto.segmentation.v1.GetAiplFlowsRequest;
import io.strata.proto.segmentation.v1.GetModelRunRequest;
import io.strata.proto.segmentation.v1.ModelRun;
import io.strata.proto.segmentation.v1.ModelService;
import io.strata.proto.segmentation.v1.StartModelRunRequest;
import io.strata.segmentation.repository.ModelRunRepository;
import io.strata.segmentation.service.Engine;
import io.strata.segmentation.service.ModelRuns;
import io.strata.segmentation.support.FakeTagService;
import io.strata.segmentation.support.Feed;
import io.strata.segmentation.support.FeedTopics;
import io.strata.testing.KeycloakTokens;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Model runs over the engine's partitions: the counts per class a run records, the model tags it
 * writes through profile-service (only those that changed: a second run over the tags written writes
 * none), the AIPL flows; and through gRPC, who may start and read runs, and what is refused.
 */
@QuarkusTest
@QuarkusTestResource(value = FeedTopics.class, restrictToAnnotatedClass = true)
class ModelRunsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @GrpcClient("segmentation")
    ModelService client;

    @Inject
    ModelRuns runs;

    @Inject
    ModelRunRepository stored;

    @Inject
    Engine engine;

    private ModelService as(String user) {
        return GrpcClientUtils.attachHeaders(
                client, KeycloakTokens.forUser(KeycloakTokens.serviceToken(), KeycloakTokens.accessToken(user)));
    }

    private static Instant daysAgo(Instant now, double days) {
        return now.minusSeconds((long) (days * 86_400));
    }

    private long profiles(String tenant) {
        return engine.readTables(tenant, engine.live(), t -> (long) t.size()).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    private ModelRunRepository.Stored finished(String tenant, UUID id) {
        return await().atMost(WAIT)
                .until(
                        () -> stored.find(tenant, id).await().atMost(WAIT),
                        r -> !r.status().equals("running"));
    }

    @Test
    void aRunCountsTagsWhatChangedAndNothingTheSecondTime() {
        String tenant = "models-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (Feed feed = new Feed(tenant)) {
            // six buyers: from one order to many, recent and not
            for (int i = 1; i <= 6; i++) {
                String id = "b" + i;
                feed.traits(id, "name", id);
                for (int k = 0; k < i; k++) {
                    feed.event(id, "Order Completed", daysAgo(now, 5 + 40 * k + 3 * i), "revenue", 20 * i + k);
                }
            }
            // a buyer whose visits fell: four in the 30 days before last, one in the last 30
            feed.traits("r1", "name", "r1");
            feed.event("r1", "Order Completed", daysAgo(now, 100), "revenue", 50);
            for (int k = 0; k < 4; k++) {
                feed.event("r1", "page", daysAgo(now, 35 + k * 5));
            }
            feed.event("r1", "page", daysAgo(now, 10));
            // a known consumer who saw an ad and never bought
            feed.traits("p1", "name", "p1", "memberId", "m-1");
            feed.event("p1", "Ad Viewed", daysAgo(now, 3));
            await().atMost(WAIT).until(() -> profiles(tenant) == 8);
            // a profile merged away before anything of it came, then a late event of it: no profile.
            // It shares p1's partition, so p1's records after its own show they were read.
            int partitions = engine.feedPartitions();
            int p1 = Keys.partition(Keys.profile(tenant, "p1"), partitions);
            String ghost = java.util.stream.IntStream.range(0, 1000)
                    .mapToObj(i -> "g" + i)
                    .filter(g -> Keys.partition(Keys.profile(tenant, g), partitions) == p1)
                    .findFirst()
                    .orElseThrow();
            feed.merged(ghost, "b1");
            feed.event(ghost, "page", daysAgo(now, 1));
            // a profile of p1's partition merged into one another partition holds: no copy of that
            // one is made here (the merge is announced under the source's key)
            String into = java.util.stream.Stream.of("b1", "b2", "b3", "b4", "b5", "b6")
                    .filter(b -> Keys.partition(Keys.profile(tenant, b), partitions) != p1)
                    .findFirst()
                    .orElseThrow();
            String source = java.util.stream.IntStream.range(1000, 2000)
                    .mapToObj(i -> "x" + i)
                    .filter(x -> Keys.partition(Keys.profile(tenant, x), partitions) == p1)
                    .findFirst()
                    .orElseThrow();
            feed.traits(source, "name", source);
            feed.event(source, "Content Viewed", daysAgo(now, 1));
            feed.merged(source, into);
            feed.traits("p1", "name", "p1b");
            await().atMost(WAIT)
                    .until(() -> engine.readTables(tenant, engine.live(), t -> {
                                var o = t.find("b6");
                                return o.isPresent()
                                        && t.facts(o.getAsInt())
                                                        .events("Order Completed")
                                                        .size()
                                                == 6;
                            })
                            .containsValue(true));

            feed.event("p1", "Ad Viewed", daysAgo(now, 2));
            await().atMost(WAIT)
                    .until(() -> engine.readTables(tenant, engine.live(), t -> {
                                var o = t.find("p1");
                                return o.isPresent()
                                        && t.facts(o.getAsInt())
                                                        .events("Ad Viewed")
                                                        .size()
                                                == 2
                                        && "p1b".equals(t.facts(o.getAsInt()).value("traits.name"));
                            })
                            .containsValue(true));
            assertEquals(8L, profiles(tenant));
            assertEquals(
                    Map.of(p1, false),
                    engine.readTables(
                            tenant, java.util.List.of(p1), t -> t.find(into).isPresent()));
            ModelRunRepository.Stored first = finished(
                    tenant,
                    runs.start(tenant, now, "manual", "test")
                            .await()
                            .atMost(WAIT)
                            .id());
            assertEquals("done", first.status(), first.error());
            assertEquals(8L, first.profiles());
            ModelRun shown = ModelGrpcService.run(first);
            Map<String, Long> groups = shown.getCountsOrThrow("rfm_group").getCountsMap();
            // r1 bought within the year too
            assertEquals(7L, groups.values().stream().mapToLong(Long::longValue).sum(), groups.toString());
            assertEquals(1L, shown.getCountsOrThrow("churn_risk").getCountsOrThrow("true"));
            assertEquals(1L, shown.getCountsOrThrow("lifecycle_stage").getCountsOrThrow("potential"));
            assertEquals(1L, shown.getCountsOrThrow("aipl_stage").getCountsOrThrow("awareness"));
            assertTrue(shown.hasClv(), first.clv());

            Map<String, Map<String, String>> written = FakeTagService.WRITTEN.get(tenant);
            assertNotNull(written);
            assertEquals("true", written.get("r1").get("churn_risk"));
            assertEquals("at_risk", written.get("r1").get("lifecycle_stage"));
            assertEquals("potential", written.get("p1").get("lifecycle_stage"));
            assertEquals("awareness", written.get("p1").get("aipl_stage"));
            // nothing held, nothing to clear
            assertFalse(written.get("p1").containsKey("churn_risk"));
            assertFalse(written.get("p1").containsKey("rfm_group"));
            assertFalse(written.get("p1").containsKey("rfm_r_score"));
            for (String id : new String[] {"b1", "b2", "b3", "b4", "b5", "b6", "r1"}) {
                assertNotNull(written.get(id).get("rfm_group"), id);
                for (String score : new String[] {"rfm_r_score", "rfm_f_score", "rfm_m_score"}) {
                    int value = Integer.parseInt(written.get(id).get(score));
                    assertTrue(value >= 1 && value <= 5, id + " " + score + " " + value);
                }
            }
            assertEquals(first.tagsChanged(), (long)
                    written.values().stream().mapToInt(Map::size).sum());

            // profile-service sends the tags back on the feed: the next run finds them held
            written.forEach((id, tags) -> feed.tags(id, tags, now));
            await().atMost(WAIT)
                    .until(() -> engine.readTables(tenant, engine.live(), t -> {
                                var o = t.find("p1");
                                return o.isPresent()
                                        && "potential"
                                                .equals(t.facts(o.getAsInt()).value("tags.lifecycle_stage"));
                            })
                            .containsValue(true));
            await().atMost(WAIT)
                    .until(() -> engine.readTables(tenant, engine.live(), t -> {
                                var o = t.find("b6");
                                return o.isPresent() && t.facts(o.getAsInt()).value("tags.rfm_group") != null;
                            })
                            .containsValue(true));
            ModelRunRepository.Stored second = finished(
                    tenant,
                    runs.start(tenant, now, "manual", "test")
                            .await()
                            .atMost(WAIT)
                            .id());
            assertEquals("done", second.status(), second.error());
            assertEquals(0L, second.tagsChanged());
            assertEquals(first.counts(), second.counts());

            // stage flows over the last 20 days: p1 entered the assets as A
            ModelRuns.Flows flows = runs.flows(
                            tenant, daysAgo(now, 20), now, io.strata.segmentation.models.ModelSettings.DEFAULTS)
                    .await()
                    .atMost(WAIT);
            assertEquals(1L, flows.flows().get("").get("awareness"));
            assertEquals(1L, flows.members());
        }
    }

    @Test
    void throughGrpcMarketersStartViewersReadAndBadInputIsNamed() {
        StatusRuntimeException viewer = assertThrows(
                StatusRuntimeException.class,
                () -> as("vic")
                        .startModelRun(StartModelRunRequest.newBuilder()
                                .setTenant("demo")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, viewer.getStatus().getCode());

        Instant later = Instant.now().plusSeconds(3600);
        StatusRuntimeException future = refused(as("mia")
                .startModelRun(StartModelRunRequest.newBuilder()
                        .setTenant("demo")
                        .setAsOf(Timestamp.newBuilder().setSeconds(later.getEpochSecond()))
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, future.getStatus().getCode());
        assertEquals("as_of", Errors.violations(future).get(0).field());

        StatusRuntimeException badId = refused(as("vic")
                .getModelRun(GetModelRunRequest.newBuilder()
                        .setTenant("demo")
                        .setId("nope")
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badId.getStatus().getCode());
        StatusRuntimeException unknown = refused(as("vic")
                .getModelRun(GetModelRunRequest.newBuilder()
                        .setTenant("demo")
                        .setId(UUID.randomUUID().toString())
                        .build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());

        Instant now = Instant.now();
        StatusRuntimeException backwards = refused(as("vic")
                .getAiplFlows(GetAiplFlowsRequest.newBuilder()
                        .setTenant("demo")
                        .setFrom(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                        .setTo(Timestamp.newBuilder().setSeconds(now.getEpochSecond() - 86_400))
                        .build()));
        assertEquals("from", Errors.violations(backwards).get(0).field());

        // a marketer's run of their tenant, read back by a viewer
        ModelRun started = as("mia")
                .startModelRun(
                        StartModelRunRequest.newBuilder().setTenant("demo").build())
                .await()
                .atMost(WAIT)
                .getRun();
        assertEquals("manual", started.getTrigger());
        assertFalse(started.getCreatedBy().isEmpty());
        ModelRun done = await().atMost(WAIT)
                .until(
                        () -> as("vic")
                                .getModelRun(GetModelRunRequest.newBuilder()
                                        .setTenant("demo")
                                        .setId(started.getId())
                                        .build())
                                .await()
                                .atMost(WAIT)
                                .getRun(),
                        r -> !r.getStatus().equals("running"));
        assertEquals("done", done.getStatus(), done.getError());
        assertTrue(done.getDurationMs() >= 0);
        assertTrue(done.getCountsMap().containsKey("lifecycle_stage"), done.toString());
    }

    private static StatusRuntimeException refused(Uni<?> call) {
        return assertThrows(StatusRuntimeException.class, () -> call.await().atMost(WAIT));
    }
}
