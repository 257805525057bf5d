package io.strata.insight.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.strata.insight.feed.FeedLoop;
import io.strata.insight.feed.FeedRecords;
import io.strata.insight.repository.CostRepository;
import io.strata.platform.errors.Errors;
import io.strata.platform.kafka.Keys;
import io.strata.proto.insight.v1.ComputePartialRequest;
import io.strata.proto.insight.v1.ComputePartialResponse;
import io.strata.proto.insight.v1.ContentEconomics;
import io.strata.proto.insight.v1.CostRow;
import io.strata.proto.insight.v1.DescribeReplicaRequest;
import io.strata.proto.insight.v1.FunnelStep;
import io.strata.proto.insight.v1.GetActivityRequest;
import io.strata.proto.insight.v1.GetActivityResponse;
import io.strata.proto.insight.v1.GetAssociationRulesRequest;
import io.strata.proto.insight.v1.GetAssociationRulesResponse;
import io.strata.proto.insight.v1.GetEconomicsRequest;
import io.strata.proto.insight.v1.GetEconomicsResponse;
import io.strata.proto.insight.v1.GetFunnelRequest;
import io.strata.proto.insight.v1.GetFunnelResponse;
import io.strata.proto.insight.v1.GetGrowRequest;
import io.strata.proto.insight.v1.GetGrowResponse;
import io.strata.proto.insight.v1.GetInsightStatusRequest;
import io.strata.proto.insight.v1.GetRetentionRequest;
import io.strata.proto.insight.v1.GetRetentionResponse;
import io.strata.proto.insight.v1.GetTgiRequest;
import io.strata.proto.insight.v1.GetTgiResponse;
import io.strata.proto.insight.v1.ImportCostsRequest;
import io.strata.proto.insight.v1.InsightReplicaService;
import io.strata.proto.insight.v1.InsightService;
import io.strata.proto.insight.v1.TgiRow;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.segmentation.v1.SegmentMembership;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalStack;
import io.strata.testing.TestTopics;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The analyses through gRPC over the feed: analysts ask, viewers may not (but for the status and
 * the activity over time), every wrong field is named. The test topics hold earlier runs' records
 * of tenant "demo" (the test users' tenant), so every question is asked of this run's own
 * audiences and profiles.
 */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class InsightServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TENANT = "demo";
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String FANS = "fans-" + RUN;
    private static final String REST = "rest-" + RUN;
    private static final String CREATOR = "creator-" + RUN;
    private static final Instant T0 = Instant.parse("2026-05-04T02:00:00Z");
    /** The audience whose planted activity is counted, and the Monday its first week starts. */
    private static final String ACTIVE = "active-" + RUN;

    private static final Instant W0 = Instant.parse("2026-03-02T10:00:00Z");
    private static KafkaProducer<String, byte[]> producer;

    @GrpcClient("insight")
    InsightService client;

    @GrpcClient("insight")
    InsightReplicaService replica;

    @Inject
    Partials partials;

    @Inject
    FeedLoop feed;

    @Inject
    CostRepository costs;

    @BeforeAll
    static void feed() throws Exception {
        LocalStack.requireKafkaAndPostgres();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        plantActivity();
        Instant t0 = T0;
        // 100 fans: 60 watch guochao content and buy tea with cups; 300 others: 30 watch guochao
        for (int i = 0; i < 400; i++) {
            boolean fan = i < 100;
            String profile = RUN + "-p" + i;
            membership(profile, fan ? FANS : REST);
            boolean guochao = fan ? i < 60 : i < 130;
            send(
                    profile,
                    "Content Viewed",
                    t0,
                    "{\"channel\":\"douyin\",\"creator\":\"" + CREATOR + "\",\"topic\":\""
                            + (guochao ? "guochao" : "food") + "\"}");
            if (fan) {
                send(profile, "Product Added", t0.plusSeconds(60), "{\"category\":\"tea\"}");
                if (i < 40) {
                    send(
                            profile,
                            "Order Completed",
                            t0.plusSeconds(600),
                            "{\"order_id\":\"" + profile
                                    + "-o\",\"revenue\":50,\"products\":[{\"category\":\"tea\",\"price\":30},"
                                    + "{\"category\":\"cups\",\"price\":20}]}");
                }
            }
        }
    }

    /**
     * Twelve members of ACTIVE: in the week of 2 March all view content, six add a product, one
     * orders (19 events); on Sunday 15 March at 20:00 UTC (Monday 04:00 in Shanghai) one searches;
     * in the week of 16 March four view content twice, two of them order, one searches (11 events).
     * Content Viewed 20, Product Added 6, Order Completed 3, Search 2.
     */
    private static void plantActivity() throws Exception {
        for (int i = 0; i < 12; i++) {
            String profile = RUN + "-a" + i;
            membership(profile, ACTIVE);
            send(profile, "Content Viewed", W0.plusSeconds(i * 3_600L), "{}");
            if (i < 6) {
                send(profile, "Product Added", W0.plus(Duration.ofDays(1)), "{}");
            }
            if (i == 0) {
                send(profile, "Order Completed", W0.plus(Duration.ofDays(2)), "{}");
            }
        }
        send(RUN + "-a5", "Search", Instant.parse("2026-03-15T20:00:00Z"), "{}");
        Instant w2 = W0.plus(Duration.ofDays(14));
        for (int i = 0; i < 4; i++) {
            String profile = RUN + "-a" + i;
            send(profile, "Content Viewed", w2, "{}");
            send(profile, "Content Viewed", w2.plus(Duration.ofDays(1)), "{}");
            if (i < 2) {
                send(profile, "Order Completed", w2.plus(Duration.ofDays(2)), "{}");
            }
        }
        send(RUN + "-a4", "Search", w2.plus(Duration.ofDays(1)), "{}");
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    private InsightService as(String user) {
        return GrpcClientUtils.attachHeaders(
                client, KeycloakTokens.forUser(KeycloakTokens.serviceToken(), KeycloakTokens.accessToken(user)));
    }

    private GetTgiResponse tgi(String user, GetTgiRequest.Builder request) {
        return as(user).getTgi(request.setTenant(TENANT).build()).await().atMost(WAIT);
    }

    private static StatusRuntimeException refused(Uni<?> call) {
        return assertThrows(StatusRuntimeException.class, () -> call.await().atMost(WAIT));
    }

    private void awaitFed() {
        await().atMost(WAIT)
                .ignoreExceptions()
                .until(() ->
                        tgi("ana", GetTgiRequest.newBuilder().setAudience(FANS).setBase("segment:" + REST))
                                                .getAudienceSize()
                                        == 100
                                && tgi("ana", GetTgiRequest.newBuilder().setAudience(REST))
                                                .getAudienceSize()
                                        == 300);
    }

    @Test
    void anAudienceIndexedAgainstTheRestOfTheBase() {
        awaitFed();
        GetTgiResponse response = tgi(
                "ana",
                GetTgiRequest.newBuilder()
                        .setAudience(FANS)
                        .setBase("segment:" + REST)
                        .addDimensions("topic")
                        .setMinBase(10));
        assertEquals(300, response.getBaseSize());
        TgiRow guochao = response.getRowsList().stream()
                .filter(r -> r.getValue().equals("guochao"))
                .findFirst()
                .orElseThrow();
        assertEquals(60, guochao.getAudienceWith());
        assertEquals(30, guochao.getBaseWith());
        // 0.6 against 30/300
        assertEquals(600, guochao.getIndex(), 1e-9);
        assertTrue(guochao.getLower() < guochao.getIndex() && guochao.getIndex() < guochao.getUpper());
        assertEquals("small_base", guochao.getFlag(), "30 base profiles have it: fewer than 200");
        assertEquals(response.getRows(0), guochao, "ranked first by its interval's lower bound");
        assertTrue(
                response.getRowsList().stream().allMatch(r -> r.getDimension().equals("topic")));

        // a viewer may not; an analyst of another tenant may not either
        StatusRuntimeException denied = refused(as("vic")
                .getTgi(GetTgiRequest.newBuilder()
                        .setTenant(TENANT)
                        .setAudience(FANS)
                        .build()));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(as("ana")
                                .getTgi(GetTgiRequest.newBuilder()
                                        .setTenant("acme")
                                        .setAudience(FANS)
                                        .build()))
                        .getStatus()
                        .getCode());
    }

    @Test
    void wrongFieldsAreNamed() {
        assertField("base", GetTgiRequest.newBuilder().setAudience(FANS).setBase("everyone"));
        assertField("audience", GetTgiRequest.newBuilder().setBase("all"));
        assertField("dimensions", GetTgiRequest.newBuilder().setAudience(FANS).addDimensions("shoe_size"));
        assertField(
                "flag_below",
                GetTgiRequest.newBuilder().setAudience(FANS).setMinBase(300).setFlagBelow(100));
        assertField("limit", GetTgiRequest.newBuilder().setAudience(FANS).setLimit(-1));
        StatusRuntimeException unknown = refused(as("ana")
                .getTgi(GetTgiRequest.newBuilder()
                        .setTenant(TENANT)
                        .setAudience("no-such-" + RUN)
                        .build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());

        StatusRuntimeException level = refused(as("ana")
                .getAssociationRules(GetAssociationRulesRequest.newBuilder()
                        .setTenant(TENANT)
                        .setLevel("brand")
                        .build()));
        assertEquals("level", Errors.violations(level).get(0).field());
        StatusRuntimeException preset = refused(as("ana")
                .getFunnel(GetFunnelRequest.newBuilder()
                        .setTenant(TENANT)
                        .setPreset("aida")
                        .build()));
        assertEquals("preset", Errors.violations(preset).get(0).field());
        StatusRuntimeException far = refused(as("ana")
                .getEconomics(GetEconomicsRequest.newBuilder()
                        .setTenant(TENANT)
                        .setFrom(Timestamp.newBuilder().setSeconds(0))
                        .setTo(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE / 1000))
                        .build()));
        assertEquals("to", Errors.violations(far).get(0).field(), "an instant past year 9999, not an overflow");
    }

    private void assertField(String field, GetTgiRequest.Builder request) {
        StatusRuntimeException e =
                refused(as("ana").getTgi(request.setTenant(TENANT).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), field);
        assertEquals(field, Errors.violations(e).get(0).field());
    }

    private GetActivityResponse activity(String user, GetActivityRequest.Builder request) {
        return as(user).getActivity(request.setTenant(TENANT).build()).await().atMost(WAIT);
    }

    private static Timestamp at(String instant) {
        return Timestamp.newBuilder()
                .setSeconds(Instant.parse(instant).getEpochSecond())
                .build();
    }

    private void awaitActivity() {
        await().atMost(WAIT)
                .ignoreExceptions()
                .until(() -> activity(
                                        "vic",
                                        GetActivityRequest.newBuilder()
                                                .setAudience(ACTIVE)
                                                .setPeriod("month")
                                                .setTopEvents(1))
                                .getPeriods(0)
                                .getEvents()
                        == 31);
    }

    /** One row per period: its start, events, profiles and the top events' counts. */
    private static List<String> rows(GetActivityResponse response) {
        return response.getPeriodsList().stream()
                .map(p -> p.getStart() + " " + p.getEvents() + "/" + p.getProfiles() + " "
                        + p.getByEventList().stream()
                                .map(e -> e.getName() + "=" + e.getEvents())
                                .toList())
                .toList();
    }

    @Test
    void activityCountsEventsProfilesAndTheTopEventsPerPeriod() {
        awaitActivity();
        // weeks from Monday in UTC, from the first event's to the last's; a viewer may ask
        GetActivityResponse weeks = activity(
                "vic", GetActivityRequest.newBuilder().setAudience(ACTIVE).setTopEvents(2));
        assertEquals(List.of("Content Viewed", "Product Added"), weeks.getTopEventsList(), "by events, most first");
        assertEquals(
                List.of(
                        "2026-03-02 19/12 [Content Viewed=12, Product Added=6]",
                        "2026-03-09 1/1 [Content Viewed=0, Product Added=0]",
                        "2026-03-16 11/5 [Content Viewed=8, Product Added=0]"),
                rows(weeks));

        // the same events in Shanghai: Sunday 20:00 UTC is Monday there; a week without events is shown
        GetActivityResponse shanghai = activity(
                "vic",
                GetActivityRequest.newBuilder()
                        .setAudience(ACTIVE)
                        .setTopEvents(4)
                        .setTimeZone("Asia/Shanghai"));
        assertEquals(
                List.of("Content Viewed", "Product Added", "Order Completed", "Search"), shanghai.getTopEventsList());
        assertEquals(
                List.of(
                        "2026-03-02 19/12 [Content Viewed=12, Product Added=6, Order Completed=1, Search=0]",
                        "2026-03-09 0/0 [Content Viewed=0, Product Added=0, Order Completed=0, Search=0]",
                        "2026-03-16 12/6 [Content Viewed=8, Product Added=0, Order Completed=2, Search=2]"),
                rows(shanghai));

        // a month counts each profile once however many weeks it was active in
        GetActivityResponse month = activity(
                "ana", GetActivityRequest.newBuilder().setAudience(ACTIVE).setPeriod("month"));
        assertEquals(
                List.of("2026-03-01 31/12 [Content Viewed=20, Product Added=6, Order Completed=3, Search=2]"),
                rows(month),
                "five top events by default, of four names");

        // days of a range, every one of them shown (the last without events)
        GetActivityResponse days = activity(
                "ana",
                GetActivityRequest.newBuilder()
                        .setAudience(ACTIVE)
                        .setPeriod("day")
                        .setTopEvents(1)
                        .setFrom(at("2026-03-02T00:00:00Z"))
                        .setTo(at("2026-03-06T00:00:00Z")));
        assertEquals(
                List.of(
                        "2026-03-02 12/12 [Content Viewed=12]",
                        "2026-03-03 6/6 [Content Viewed=0]",
                        "2026-03-04 1/1 [Content Viewed=0]",
                        "2026-03-05 0/0 [Content Viewed=0]"),
                rows(days));

        // the whole tenant holds the audience's events and more
        GetActivityResponse all = activity(
                "vic", GetActivityRequest.newBuilder().setPeriod("month").setTopEvents(20));
        assertTrue(
                all.getPeriodsList().stream().anyMatch(p -> p.getStart().equals("2026-03-01") && p.getEvents() >= 31),
                all.toString());
    }

    @Test
    void activityRefusesWrongFieldsNamingThem() {
        assertActivityField("period", GetActivityRequest.newBuilder().setPeriod("year"));
        assertActivityField("top_events", GetActivityRequest.newBuilder().setTopEvents(21));
        assertActivityField("top_events", GetActivityRequest.newBuilder().setTopEvents(-1));
        assertActivityField("time_zone", GetActivityRequest.newBuilder().setTimeZone("Mars/Olympus"));
        assertActivityField(
                "from",
                GetActivityRequest.newBuilder()
                        .setFrom(at("2026-03-10T00:00:00Z"))
                        .setTo(at("2026-03-02T00:00:00Z")));
        // 401 days: more periods than an answer holds
        assertActivityField(
                "from",
                GetActivityRequest.newBuilder()
                        .setPeriod("day")
                        .setFrom(at("2025-03-01T00:00:00Z"))
                        .setTo(at("2026-04-06T00:00:00Z")));
        StatusRuntimeException unknown = refused(as("vic")
                .getActivity(GetActivityRequest.newBuilder()
                        .setTenant(TENANT)
                        .setAudience("no-such-" + RUN)
                        .build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(as("vic")
                                .getActivity(GetActivityRequest.newBuilder()
                                        .setTenant("acme")
                                        .build()))
                        .getStatus()
                        .getCode(),
                "another tenant's");
    }

    private void assertActivityField(String field, GetActivityRequest.Builder request) {
        StatusRuntimeException e =
                refused(as("vic").getActivity(request.setTenant(TENANT).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), field);
        assertEquals(field, Errors.violations(e).get(0).field());
    }

    @Test
    void rulesAndFunnelOfAnAudience() {
        awaitFed();
        GetAssociationRulesResponse rules = as("ana")
                .getAssociationRules(GetAssociationRulesRequest.newBuilder()
                        .setTenant(TENANT)
                        .setAudience(FANS)
                        .setMinSupport(0.5)
                        .setMinConfidence(0.5)
                        .addItems("tea")
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(40, rules.getBaskets());
        assertEquals(2, rules.getRulesTotal(), "tea→cups and cups→tea");
        assertEquals(1, rules.getRulesCount(), "for a cart holding tea: cups");
        assertEquals("cups", rules.getRules(0).getConsequent(0));
        assertEquals(1.0, rules.getRules(0).getConfidence(), 1e-9);
        assertFalse(rules.getRules(0).hasConviction(), "infinite at confidence 1");

        var funnel = as("mia")
                .getFunnel(GetFunnelRequest.newBuilder()
                        .setTenant(TENANT)
                        .setAudience(FANS)
                        .setPreset("cart-to-payment")
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(100, funnel.getGroups(0).getSteps(0).getPeople());
        assertEquals(40, funnel.getGroups(0).getSteps(1).getPeople());
        assertEquals(540, funnel.getGroups(0).getSteps(1).getMedianSecondsFromPrevious());

        var status = as("vic")
                .getInsightStatus(
                        GetInsightStatusRequest.newBuilder().setTenant(TENANT).build())
                .await()
                .atMost(WAIT);
        assertTrue(status.getEvents() >= 540 && status.getProfiles() >= 400, status.toString());
    }

    @Test
    void costsAreImportedWholeOrNotAtAllAndWeighedAgainstWhatTheContentBrought() {
        awaitFed();
        CostRow good = CostRow.newBuilder()
                .setDay("2026-05-04")
                .setChannel("douyin")
                .setCreator(CREATOR)
                .setCost(500)
                .build();
        StatusRuntimeException bad = refused(as("mia")
                .importCosts(ImportCostsRequest.newBuilder()
                        .setTenant(TENANT)
                        .addRows(good)
                        .addRows(good.toBuilder().setDay("4 May"))
                        .build()));
        assertEquals("rows[1].day", Errors.violations(bad).get(0).field());
        StatusRuntimeException nul = refused(as("mia")
                .importCosts(ImportCostsRequest.newBuilder()
                        .setTenant(TENANT)
                        .addRows(good)
                        .addRows(good.toBuilder().setCreator("a\0b"))
                        .build()));
        assertEquals("rows[1].creator", Errors.violations(nul).get(0).field());
        StatusRuntimeException far = refused(as("mia")
                .importCosts(ImportCostsRequest.newBuilder()
                        .setTenant(TENANT)
                        .addRows(good)
                        .addRows(good.toBuilder().setDay("+6000000-01-01"))
                        .build()));
        assertEquals("rows[1].day", Errors.violations(far).get(0).field(), "beyond the database's dates");
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(as("ana")
                                .importCosts(ImportCostsRequest.newBuilder()
                                        .setTenant(TENANT)
                                        .addRows(good)
                                        .build()))
                        .getStatus()
                        .getCode(),
                "analysts read economics, marketers import costs");

        GetEconomicsRequest economics = GetEconomicsRequest.newBuilder()
                .setTenant(TENANT)
                .setFrom(Timestamp.newBuilder()
                        .setSeconds(Instant.parse("2026-05-04T00:00:00Z").getEpochSecond()))
                .setTo(Timestamp.newBuilder()
                        .setSeconds(Instant.parse("2026-05-05T00:00:00Z").getEpochSecond()))
                .build();
        ContentEconomics before =
                creator(as("ana").getEconomics(economics).await().atMost(WAIT));
        assertEquals(0, before.getCost(), "the refused import stored nothing");
        assertFalse(before.hasRoi());

        var first = as("mia")
                .importCosts(ImportCostsRequest.newBuilder()
                        .setTenant(TENANT)
                        .addRows(good.toBuilder().setCost(450))
                        .addRows(good)
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(2, first.getImported());
        ContentEconomics after =
                creator(as("ana").getEconomics(economics).await().atMost(WAIT));
        assertEquals(400, after.getViewers());
        assertEquals(40, after.getOrders());
        assertEquals(2000, after.getRevenue(), 1e-9);
        assertEquals(500, after.getCost(), 1e-9, "of two rows for one day, channel and creator, the last");
        assertEquals(3.0, after.getRoi(), 1e-9);
        assertEquals(List.of("douyin"), after.getChannelsList());

        // an import replaces the same day's, channel's and creator's cost; a cost alone is a row
        String other = "other-" + RUN;
        var second = as("mia")
                .importCosts(ImportCostsRequest.newBuilder()
                        .setTenant(TENANT)
                        .addRows(good.toBuilder().setCost(1000))
                        .addRows(good.toBuilder().setCreator(other).setCost(80))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(first.getHeld() + 1, second.getHeld(), "one row replaced, one added");
        GetEconomicsResponse replaced =
                as("ana").getEconomics(economics).await().atMost(WAIT);
        assertEquals(1000, creator(replaced).getCost(), 1e-9);
        ContentEconomics unseen = replaced.getContentsList().stream()
                .filter(c -> c.getCreator().equals(other))
                .findFirst()
                .orElseThrow();
        assertEquals(List.of(80.0, 0L), List.of(unseen.getCost(), unseen.getViewers()), "paid for, never viewed");
        assertFalse(unseen.hasRevenuePerViewer());
        assertTrue(
                replaced.getChannelsList().stream()
                        .anyMatch(c -> c.getChannel().equals("douyin") && c.getCost() >= 1080),
                "a creator's content costs its channel too");

        // what a store of an earlier version kept moves where nothing newer is held
        String adopted = "adopted-" + RUN;
        int taken = costs.adopt(Map.of(
                        TENANT,
                        List.of(
                                new CostRepository.Cost(LocalDate.parse("2026-05-04"), "douyin", CREATOR, 1),
                                new CostRepository.Cost(LocalDate.parse("2026-05-04"), "douyin", adopted, 7))))
                .await()
                .atMost(WAIT);
        assertEquals(1, taken);
        GetEconomicsResponse moved = as("ana").getEconomics(economics).await().atMost(WAIT);
        assertEquals(1000, creator(moved).getCost(), 1e-9, "the newer import kept");
        assertTrue(moved.getContentsList().stream().anyMatch(c -> c.getCreator().equals(adopted) && c.getCost() == 7));
    }

    private static ContentEconomics creator(GetEconomicsResponse response) {
        return response.getContentsList().stream()
                .filter(c -> c.getCreator().equals(CREATOR))
                .findFirst()
                .orElseThrow();
    }

    /**
     * Scatter-gather's ground: the partial answers of each partition alone, added up, are the answer
     * over the whole store (TGI, retention, GROW, economics, association rules, the status), and the audience
     * really is spread over several partitions.
     */
    @Test
    void eachPartitionsPartialsAddUpToTheWhole() {
        awaitFed();
        await().atMost(WAIT)
                .until(() -> feed.feedPartitions() > 1 && feed.live().size() == feed.feedPartitions());
        List<List<Integer>> each = new ArrayList<>();
        for (int p = 0; p < feed.feedPartitions(); p++) {
            each.add(List.of(p));
        }

        GetTgiRequest tgi = GetTgiRequest.newBuilder()
                .setTenant(TENANT)
                .setAudience(FANS)
                .setBase("segment:" + REST)
                .setMinBase(10)
                .build();
        Partials.TgiAsk tgiAsk = Partials.ask(tgi);
        List<ComputePartialResponse> tgiParts = partials(each, p -> partials.partial(tgiAsk, p));
        assertTrue(
                tgiParts.stream().filter(p -> p.getTgi().getAudience() > 0).count() > 1,
                "the audience lies on several partitions");
        assertEquals(
                as("ana").getTgi(tgi).await().atMost(WAIT).toBuilder()
                        .clearIndexBuiltAt()
                        .build(),
                Partials.finish(tgiAsk, tgiParts).toBuilder()
                        .clearIndexBuiltAt()
                        .build());

        // against every profile: the base is each partition's own
        GetTgiRequest againstAll = tgi.toBuilder().setBase("all").build();
        Partials.TgiAsk allAsk = Partials.ask(againstAll);
        assertEquals(
                as("ana").getTgi(againstAll).await().atMost(WAIT).toBuilder()
                        .clearIndexBuiltAt()
                        .build(),
                Partials.finish(allAsk, partials(each, p -> partials.partial(allAsk, p))).toBuilder()
                        .clearIndexBuiltAt()
                        .build());
        var status = Partials.finishStatus(partials(each, p -> partials.status(TENANT, p)));
        var wholeStatus = as("vic")
                .getInsightStatus(
                        GetInsightStatusRequest.newBuilder().setTenant(TENANT).build())
                .await()
                .atMost(WAIT);
        assertEquals(
                List.of(wholeStatus.getEvents(), wholeStatus.getProfiles()),
                List.of(status.getEvents(), status.getProfiles()));

        GetRetentionRequest retention = GetRetentionRequest.newBuilder()
                .setTenant(TENANT)
                .setStartEvent("Content Viewed")
                .setReturnEvent("Order Completed")
                .setPeriod("day")
                .setPeriods(3)
                .setAudience(FANS)
                .build();
        Partials.RetentionAsk retentionAsk = Partials.ask(retention);
        GetRetentionResponse whole = as("ana").getRetention(retention).await().atMost(WAIT);
        assertEquals(100, whole.getTables(0).getOverall().getSize(), "every fan viewed content");
        assertEquals(whole, Partials.finish(retentionAsk, partials(each, p -> partials.partial(retentionAsk, p))));

        GetGrowRequest grow = GetGrowRequest.newBuilder()
                .setTenant(TENANT)
                .setAudience(FANS)
                .setBeforeFrom(Timestamp.newBuilder()
                        .setSeconds(T0.minusSeconds(86_400).getEpochSecond()))
                .setBeforeTo(
                        Timestamp.newBuilder().setSeconds(T0.plusSeconds(300).getEpochSecond()))
                .setAfterFrom(
                        Timestamp.newBuilder().setSeconds(T0.plusSeconds(300).getEpochSecond()))
                .setAfterTo(
                        Timestamp.newBuilder().setSeconds(T0.plusSeconds(86_400).getEpochSecond()))
                .build();
        Partials.GrowAsk growAsk = Partials.ask(grow);
        GetGrowResponse growWhole = as("ana").getGrow(grow).await().atMost(WAIT);
        assertEquals(2000, growWhole.getTotal().getAfter(), 1e-9, "40 orders of 50");
        assertEquals(growWhole, Partials.finish(growAsk, partials(each, p -> partials.partial(growAsk, p))));

        GetEconomicsRequest economics = GetEconomicsRequest.newBuilder()
                .setTenant(TENANT)
                .setFrom(
                        Timestamp.newBuilder().setSeconds(T0.minusSeconds(7_200).getEpochSecond()))
                .setTo(Timestamp.newBuilder().setSeconds(T0.plusSeconds(86_400).getEpochSecond()))
                .build();
        Partials.EconomicsAsk economicsAsk = Partials.ask(economics);
        GetEconomicsResponse economicsWhole =
                as("ana").getEconomics(economics).await().atMost(WAIT);
        assertTrue(economicsWhole.getContentsList().stream()
                .anyMatch(c -> c.getCreator().equals(CREATOR) && c.getViewers() == 400 && c.getOrders() == 40));
        assertEquals(
                economicsWhole,
                Partials.finish(
                        partials(each, p -> partials.partial(economicsAsk, p)),
                        costs.spend(TENANT, economicsAsk.firstDay(), economicsAsk.endDay())
                                .await()
                                .atMost(WAIT)));

        GetAssociationRulesRequest rules = GetAssociationRulesRequest.newBuilder()
                .setTenant(TENANT)
                .setAudience(FANS)
                .setMinSupport(0.5)
                .build();
        Partials.AssociationAsk rulesAsk = Partials.ask(rules);
        var gathered = Partials.baskets(rulesAsk, partials(each, p -> partials.partial(rulesAsk, p)));
        assertEquals(40, gathered.size());
        assertEquals(as("ana").getAssociationRules(rules).await().atMost(WAIT).getBaskets(), gathered.size());

        // funnels: in the engine (ordered, one window) and in Java (strict; a breakdown by audiences)
        for (GetFunnelRequest funnel : List.of(
                GetFunnelRequest.newBuilder()
                        .setTenant(TENANT)
                        .setPreset("cart-to-payment")
                        .setBreakdownProperty("category")
                        .build(),
                GetFunnelRequest.newBuilder()
                        .setTenant(TENANT)
                        .addSteps(FunnelStep.newBuilder().setEvent("Content Viewed"))
                        .addSteps(FunnelStep.newBuilder().setEvent("Product Added"))
                        .addSteps(FunnelStep.newBuilder().setEvent("Order Completed"))
                        .setAudience(FANS)
                        .build(),
                GetFunnelRequest.newBuilder()
                        .setTenant(TENANT)
                        .addSteps(FunnelStep.newBuilder().setEvent("Content Viewed"))
                        .addSteps(FunnelStep.newBuilder().setEvent("Product Added"))
                        .setOrder("strict")
                        .addBreakdownAudiences(FANS)
                        .addBreakdownAudiences(REST)
                        .build())) {
            Partials.FunnelAsk funnelAsk = Partials.ask(funnel);
            GetFunnelResponse wholeFunnel = as("ana").getFunnel(funnel).await().atMost(WAIT);
            assertTrue(wholeFunnel.getGroupsCount() > 0, funnel.toString());
            assertEquals(
                    wholeFunnel,
                    Partials.finish(funnelAsk, partials(each, p -> partials.partial(funnelAsk, p))),
                    funnel.toString());
        }

        // activity: the audience's profiles lie on several partitions, and so does the tenant's
        awaitActivity();
        for (GetActivityRequest activity : List.of(
                GetActivityRequest.newBuilder()
                        .setTenant(TENANT)
                        .setAudience(ACTIVE)
                        .setPeriod("day")
                        .setTopEvents(3)
                        .build(),
                GetActivityRequest.newBuilder()
                        .setTenant(TENANT)
                        .setPeriod("month")
                        .setTopEvents(20)
                        .build())) {
            Partials.ActivityAsk activityAsk = Partials.ask(activity);
            List<ComputePartialResponse> activityParts = partials(each, p -> partials.partial(activityAsk, p));
            assertTrue(
                    activityParts.stream()
                                    .filter(p -> p.getActivity().getPeriodsCount() > 0)
                                    .count()
                            > 1,
                    "the events lie on several partitions");
            GetActivityResponse wholeActivity = activity("vic", activity.toBuilder());
            assertTrue(wholeActivity.getPeriodsCount() > 0);
            assertEquals(wholeActivity, Partials.finish(activityAsk, activityParts), activity.toString());
        }

        // an audience no partition knows is unknown, as alone
        Partials.TgiAsk unknown =
                Partials.ask(tgi.toBuilder().setAudience("nobody-" + RUN).build());
        assertEquals(
                Status.Code.NOT_FOUND,
                assertThrows(
                                StatusRuntimeException.class,
                                () -> Partials.finish(unknown, partials(each, p -> partials.partial(unknown, p))))
                        .getStatus()
                        .getCode());
    }

    private static List<ComputePartialResponse> partials(
            List<List<Integer>> each, java.util.function.Function<List<Integer>, Uni<ComputePartialResponse>> one) {
        return each.stream().map(p -> one.apply(p).await().atMost(WAIT)).toList();
    }

    /** The replicas' own RPCs answer insight-service's client only, and only for live partitions. */
    @Test
    void theReplicasRpcsAnswerTheServiceItselfForThePartitionsItServes() {
        awaitFed();
        awaitActivity();
        await().atMost(WAIT)
                .until(() -> feed.feedPartitions() > 1 && feed.live().size() == feed.feedPartitions());
        StatusRuntimeException denied = assertThrows(
                StatusRuntimeException.class,
                () -> GrpcClientUtils.attachHeaders(replica, KeycloakTokens.gatewayFor("alice"))
                        .describeReplica(DescribeReplicaRequest.getDefaultInstance())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());

        InsightReplicaService own = GrpcClientUtils.attachHeaders(
                replica, KeycloakTokens.bearer(KeycloakTokens.clientToken("strata-insight-service")));
        var state = own.describeReplica(DescribeReplicaRequest.getDefaultInstance())
                .await()
                .atMost(WAIT)
                .getReplica();
        assertEquals(List.of(0, 1, 2, 3, 4, 5), state.getLivePartitionsList());

        GetTgiRequest tgi =
                GetTgiRequest.newBuilder().setTenant(TENANT).setAudience(FANS).build();
        long members = 0;
        for (int p = 0; p < 6; p++) {
            members += own.computePartial(ComputePartialRequest.newBuilder()
                            .addPartitions(p)
                            .setTgi(tgi)
                            .build())
                    .await()
                    .atMost(WAIT)
                    .getTgi()
                    .getAudience();
        }
        assertEquals(100, members);
        GetActivityRequest activity = GetActivityRequest.newBuilder()
                .setTenant(TENANT)
                .setAudience(ACTIVE)
                .setPeriod("month")
                .build();
        long events = 0;
        long profiles = 0;
        for (int p = 0; p < 6; p++) {
            for (var period : own.computePartial(ComputePartialRequest.newBuilder()
                            .addPartitions(p)
                            .setActivity(activity)
                            .build())
                    .await()
                    .atMost(WAIT)
                    .getActivity()
                    .getPeriodsList()) {
                events += period.getEvents();
                profiles += period.getProfiles();
            }
        }
        assertEquals(List.of(31L, 12L), List.of(events, profiles), "each partition's events and profiles");

        StatusRuntimeException notHere = assertThrows(
                StatusRuntimeException.class,
                () -> own.computePartial(ComputePartialRequest.newBuilder()
                                .addPartitions(1)
                                .addPartitions(6)
                                .setTgi(tgi)
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.FAILED_PRECONDITION, notHere.getStatus().getCode());
        assertTrue(
                notHere.getStatus().getDescription().contains("[6]"),
                notHere.getStatus().getDescription());
        StatusRuntimeException wrong = assertThrows(
                StatusRuntimeException.class,
                () -> own.computePartial(ComputePartialRequest.newBuilder()
                                .addPartitions(1)
                                .setTgi(tgi.toBuilder().setMinBase(-1))
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.INVALID_ARGUMENT, wrong.getStatus().getCode());
        assertEquals("min_base", Errors.violations(wrong).get(0).field());
    }

    private static void send(String profile, String name, Instant at, String properties) throws Exception {
        Struct.Builder props = Struct.newBuilder();
        JsonFormat.parser().merge(properties, props);
        ProfileEvent event =
                FeedRecords.track(TENANT, profile, UUID.randomUUID().toString(), name, props.build(), at);
        producer.send(new ProducerRecord<>(
                        TestTopics.PROFILE_EVENTS, Keys.profile(TENANT, profile), event.toByteArray()))
                .get();
    }

    private static void membership(String profile, String segment) throws Exception {
        SegmentMembership m = SegmentMembership.newBuilder()
                .setTenant(TENANT)
                .setProfileId(profile)
                .setSegmentId(segment)
                .setEntered(true)
                .setChangedAt(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond()))
                .build();
        producer.send(new ProducerRecord<>(
                        TestTopics.SEGMENT_MEMBERSHIP, Keys.profile(TENANT, profile), m.toByteArray()))
                .get();
    }
}
