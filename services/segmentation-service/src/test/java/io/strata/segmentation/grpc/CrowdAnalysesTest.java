package io.strata.segmentation.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.platform.errors.Errors;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelRequest;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelResponse;
import io.strata.proto.segmentation.v1.Cohort;
import io.strata.proto.segmentation.v1.CrowdService;
import io.strata.proto.segmentation.v1.CustomCrowd;
import io.strata.proto.segmentation.v1.FindCustomCrowdsRequest;
import io.strata.proto.segmentation.v1.FindCustomCrowdsResponse;
import io.strata.proto.segmentation.v1.GetCrowdTrendsRequest;
import io.strata.proto.segmentation.v1.Tier;
import io.strata.segmentation.crowds.AdjustedRand;
import io.strata.segmentation.domain.Segment;
import io.strata.segmentation.service.AudienceQueries;
import io.strata.segmentation.service.CrowdAnalyses;
import io.strata.segmentation.service.Engine;
import io.strata.segmentation.support.FeedTopics;
import io.strata.testing.KeycloakTokens;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Custom crowds and the reverse funnel over the engine's partitions, on a tenant of their own: three
 * planted tastes over twelve micro-groups found again (and saved as live rule audiences, the same
 * ids on a second save); the funnel's tiers, its hidden-seed quality and the referral chains of
 * planted invitations; through gRPC, what is refused and who may save.
 */
@QuarkusTest
@QuarkusTestResource(value = FeedTopics.class, restrictToAnnotatedClass = true)
class CrowdAnalysesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Three tastes, each two categories of its own. */
    private static final String[][] TASTES = {{"makeup", "fragrance"}, {"kitchen", "storage"}, {"outdoor", "shoes"}};

    private static final String[] OTHERS = {"snacks", "tea", "socks", "pens"};

    @GrpcClient("segmentation")
    CrowdService client;

    @Inject
    CrowdAnalyses crowds;

    @Inject
    AudienceQueries queries;

    @Inject
    Engine engine;

    @Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    @Inject
    io.strata.segmentation.service.SegmentCommands commands;

    @Inject
    io.strata.segmentation.repository.SegmentRepository segmentRepository;

    private CrowdService as(String user) {
        return GrpcClientUtils.attachHeaders(
                client, KeycloakTokens.forUser(KeycloakTokens.serviceToken(), KeycloakTokens.accessToken(user)));
    }

    private long profiles(String tenant) {
        return engine.readTables(tenant, engine.live(), t -> (long) t.size()).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    private static FindCustomCrowdsRequest request(String tenant) {
        return FindCustomCrowdsRequest.newBuilder()
                .setTenant(tenant)
                .addDimensions("traits.gender")
                .addDimensions("traits.tier")
                .setLeastMembers(10)
                .build();
    }

    @Test
    void plantedTastesAreFoundSavedAndTheFunnelReadsTheInvitations() {
        String tenant = "crowds-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        Map<String, Integer> tasteOf = new HashMap<>();
        List<String> core = new ArrayList<>();
        int expected = 0;
        try (io.strata.segmentation.support.Feed feed = new io.strata.segmentation.support.Feed(tenant)) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            for (String gender : List.of("female", "male")) {
                for (int tier = 1; tier <= 6; tier++) {
                    // the taste of a micro-group: fixed by its values
                    int taste = (tier + (gender.equals("male") ? 1 : 0)) % 3;
                    int size = tier == 6 ? 4 : 15; // the sixth tier's groups are too small to cluster
                    for (int i = 0; i < size; i++) {
                        String id = gender.charAt(0) + "" + tier + "-" + i;
                        tasteOf.put(id, taste);
                        feed.traits(id, "gender", gender, "tier", tier);
                        expected++;
                        for (int v = 0; v < 6; v++) {
                            String category = random.nextDouble() < 0.7
                                    ? TASTES[taste][random.nextInt(2)]
                                    : OTHERS[random.nextInt(OTHERS.length)];
                            feed.event(id, "Product Viewed", now.minusSeconds(3600L * (v + 1)), "category", category);
                        }
                    }
                }
            }
            // the core: five advocates per taste-free spot, each inviting two who sign up
            for (int c = 0; c < 12; c++) {
                String advocate = "f1-" + c;
                core.add(advocate);
                for (int j = 0; j < 2; j++) {
                    String code = "IC-" + c + "-" + j;
                    feed.event(advocate, "Invite Sent", now.minusSeconds(86_400L * 3 + j), "invite_code", code);
                    String invitee = "m2-" + (c % 15);
                    if (j == 0) {
                        feed.event(invitee, "Signed Up", now.minusSeconds(86_400L * 2), "invite_code", code);
                    }
                }
                for (int s = 0; s < 3; s++) {
                    feed.event(advocate, "Product Shared", now.minusSeconds(7200L + s), "share_via", "wechat");
                }
            }
            int total = expected;
            await().atMost(WAIT).until(() -> profiles(tenant) == total);
        }

        // custom crowds: three, every profile where its taste is
        FindCustomCrowdsRequest ask = CrowdAnalyses.filled(request(tenant));
        FindCustomCrowdsResponse found =
                crowds.customCrowds(ask, "test").await().atMost(WAIT);
        assertEquals(3, found.getChosen(), found.getScoresList()::toString);
        assertEquals(12, found.getMicroGroups());
        assertEquals(10, found.getClustered());
        assertEquals(expected, found.getConsumers());
        Map<String, Integer> crowdOfGroup = new HashMap<>();
        for (CustomCrowd crowd : found.getCrowdsList()) {
            crowd.getMicroGroupsList().forEach(g -> crowdOfGroup.put(g, crowd.getNumber()));
            // its two most preferred categories are one planted taste
            java.util.Set<String> top =
                    java.util.Set.copyOf(crowd.getTopCategoriesList().subList(0, 2));
            assertTrue(java.util.Arrays.stream(TASTES).anyMatch(t -> top.equals(java.util.Set.of(t))), crowd::toString);
        }
        List<String> ids = new ArrayList<>(tasteOf.keySet());
        int[] planted = new int[ids.size()];
        int[] crowd = new int[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            planted[i] = tasteOf.get(id);
            String group = (id.charAt(0) == 'f' ? "female" : "male") + "|" + id.charAt(1);
            crowd[i] = crowdOfGroup.get(group);
        }
        assertEquals(1.0, AdjustedRand.index(planted, crowd), 1e-9);
        // the same data and settings give the same answer
        assertEquals(found, crowds.customCrowds(ask, "test").await().atMost(WAIT));

        // saved: live rule audiences of the crowds' sizes; saved again under the same ids
        FindCustomCrowdsRequest save = ask.toBuilder().setSaveAs("Taste").build();
        FindCustomCrowdsResponse saved =
                crowds.customCrowds(save, "test").await().atMost(WAIT);
        for (CustomCrowd c : saved.getCrowdsList()) {
            assertEquals("taste-" + c.getNumber(), c.getSegmentId());
            await().atMost(WAIT)
                    .until(() -> queries.sizes(tenant, List.of(c.getSegmentId()))
                                    .await()
                                    .atMost(WAIT)
                                    .of(c.getSegmentId())
                            == c.getMembers());
        }
        FindCustomCrowdsResponse again =
                crowds.customCrowds(save, "test").await().atMost(WAIT);
        assertEquals(saved.getCrowdsList(), again.getCrowdsList());

        // scheduled: not due until its period has passed, then run again once however often looked at
        crowds.customCrowds(save.toBuilder().setRerunEveryDays(7).build(), "mia")
                .await()
                .atMost(WAIT);
        var schedule = crowds.schedules(tenant).await().atMost(WAIT).getSchedules(0);
        assertEquals("Taste", schedule.getSaveAs());
        assertEquals(7, schedule.getEveryDays());
        assertEquals(3, schedule.getLastChosen());
        assertEquals(ask.getDimensionsList(), schedule.getRequest().getDimensionsList());
        crowds.runDue().await().atMost(WAIT);
        assertEquals(
                schedule.getLastRunAt(),
                crowds.schedules(tenant).await().atMost(WAIT).getSchedules(0).getLastRunAt());
        pool.preparedQuery("update crowd_schedules set last_run_at = now() - interval '8 days', last_chosen = null"
                        + " where tenant = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(tenant))
                .await()
                .atMost(WAIT);
        crowds.runDue().await().atMost(WAIT);
        var ran = crowds.schedules(tenant).await().atMost(WAIT).getSchedules(0);
        assertEquals(3, ran.getLastChosen());
        assertTrue(ran.getLastRunAt().getSeconds() > schedule.getLastRunAt().getSeconds() - 1, ran::toString);
        assertEquals(
                ran.getLastRunAt().getSeconds() + 7 * 86_400L,
                ran.getNextRunAt().getSeconds());
        // saved again without a period: no more re-runs
        crowds.customCrowds(save, "mia").await().atMost(WAIT);
        assertEquals(0, crowds.schedules(tenant).await().atMost(WAIT).getSchedulesCount());

        // an audience of the name that is not a saved crowd is never taken over: refused, nothing written
        commands.create(tenant, "mine-1", "mine", "", Segment.Kind.STATIC, null, null, "test")
                .await()
                .atMost(WAIT);
        StatusRuntimeException taken = assertThrows(
                StatusRuntimeException.class,
                () -> crowds.customCrowds(ask.toBuilder().setSaveAs("Mine").build(), "test")
                        .await()
                        .atMost(WAIT));
        assertEquals("save_as", Errors.violations(taken).get(0).field());
        assertEquals(null, segmentRepository.find(tenant, "mine-2").await().atMost(WAIT));

        // the reverse funnel: the twelve advocates are the core, each brought one
        AnalyzeReverseFunnelResponse funnel = crowds.reverseFunnel(
                        AnalyzeReverseFunnelRequest.newBuilder()
                                .setTenant(tenant)
                                .setExpansion(20)
                                .setHiddenShare(0.25)
                                .setSaveAs("Funnel")
                                .build(),
                        "test")
                .await()
                .atMost(WAIT);
        long broad = expected - 32L;
        Map<String, Tier> tiers = new HashMap<>();
        funnel.getTiersList().forEach(t -> tiers.put(t.getTier(), t));
        assertEquals(12, tiers.get("core").getSize());
        assertEquals(20, tiers.get("high_potential").getSize());
        assertEquals(expected - 32, tiers.get("broad").getSize());
        assertEquals(expected, funnel.getProfiles());
        assertEquals(3, funnel.getQuality().getHidden());
        assertTrue(funnel.getQuality().getLiftAtK() > 1, funnel.getQuality()::toString);
        assertEquals(12, funnel.getReferrals().getReferred());
        assertEquals(1, funnel.getReferrals().getMaxDepth());
        assertEquals(12, funnel.getReferrals().getTopReferrersCount());
        assertEquals("f1-0", funnel.getReferrals().getTopReferrers(0).getProfileId());
        assertEquals(1, funnel.getReferrals().getTopReferrers(0).getBrought());
        assertEquals(1, funnel.getReferrals().getTopReferrers(0).getReached());
        Cohort coreCohort = funnel.getReferrals().getCohortsList().stream()
                .filter(c -> c.getCohort().equals("core"))
                .findFirst()
                .orElseThrow();
        assertEquals(24, coreCohort.getInvites());
        assertEquals(12, coreCohort.getConverted());
        assertEquals(1.0, coreCohort.getK(), 1e-9);
        assertEquals(0.5, coreCohort.getConversion(), 1e-9);
        assertEquals(1.0, coreCohort.getKPerInviter(), 1e-9);
        assertEquals("funnel-high_potential", tiers.get("high_potential").getSegmentId());
        await().atMost(WAIT)
                .until(() -> queries.sizes(tenant, List.of("funnel-core", "funnel-high_potential", "funnel-broad"))
                        .await()
                        .atMost(WAIT)
                        .sizes()
                        .equals(Map.of("funnel-core", 12L, "funnel-high_potential", 20L, "funnel-broad", broad)));
    }

    @Test
    void badRequestsAreNamedAndSavingTakesAMarketer() {
        StatusRuntimeException none = assertThrows(
                StatusRuntimeException.class,
                () -> as("ana")
                        .findCustomCrowds(FindCustomCrowdsRequest.newBuilder()
                                .setTenant("demo")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.INVALID_ARGUMENT, none.getStatus().getCode());
        assertEquals("dimensions", Errors.violations(none).get(0).field());
        StatusRuntimeException metric = assertThrows(
                StatusRuntimeException.class,
                () -> as("ana")
                        .findCustomCrowds(
                                request("demo").toBuilder().setMetric("euclid").build())
                        .await()
                        .atMost(WAIT));
        assertEquals("metric", Errors.violations(metric).get(0).field());
        StatusRuntimeException rerun = assertThrows(
                StatusRuntimeException.class,
                () -> as("ana")
                        .findCustomCrowds(
                                request("demo").toBuilder().setRerunEveryDays(7).build())
                        .await()
                        .atMost(WAIT));
        assertEquals("rerun_every_days", Errors.violations(rerun).get(0).field());
        StatusRuntimeException share = assertThrows(
                StatusRuntimeException.class,
                () -> as("ana")
                        .analyzeReverseFunnel(AnalyzeReverseFunnelRequest.newBuilder()
                                .setTenant("demo")
                                .setHiddenShare(0.9)
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals("hidden_share", Errors.violations(share).get(0).field());
        StatusRuntimeException analystSaves = assertThrows(
                StatusRuntimeException.class,
                () -> as("ana")
                        .findCustomCrowds(
                                request("demo").toBuilder().setSaveAs("x").build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, analystSaves.getStatus().getCode());
        StatusRuntimeException viewer = assertThrows(
                StatusRuntimeException.class,
                () -> as("vic")
                        .analyzeReverseFunnel(AnalyzeReverseFunnelRequest.newBuilder()
                                .setTenant("demo")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, viewer.getStatus().getCode());
        StatusRuntimeException period = assertThrows(
                StatusRuntimeException.class,
                () -> as("vic")
                        .getCrowdTrends(GetCrowdTrendsRequest.newBuilder()
                                .setTenant("demo")
                                .addSegmentIds("x")
                                .setPeriod("year")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals("period", Errors.violations(period).get(0).field());
        StatusRuntimeException unknown = assertThrows(
                StatusRuntimeException.class,
                () -> as("vic")
                        .getCrowdTrends(GetCrowdTrendsRequest.newBuilder()
                                .setTenant("demo")
                                .addSegmentIds("no-such-crowd")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    }
}
