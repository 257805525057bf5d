package io.strata.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.insight.v1.ChannelEconomics;
import io.strata.proto.insight.v1.CostRow;
import io.strata.proto.insight.v1.FunnelStep;
import io.strata.proto.insight.v1.FunnelStepResult;
import io.strata.proto.insight.v1.GetAssociationRulesRequest;
import io.strata.proto.insight.v1.GetEconomicsRequest;
import io.strata.proto.insight.v1.GetFunnelRequest;
import io.strata.proto.insight.v1.GetGrowRequest;
import io.strata.proto.insight.v1.GetInsightStatusRequest;
import io.strata.proto.insight.v1.GetRetentionRequest;
import io.strata.proto.insight.v1.GetTgiRequest;
import io.strata.proto.insight.v1.GetTgiResponse;
import io.strata.proto.insight.v1.ImportCostsRequest;
import io.strata.proto.insight.v1.InsightServiceGrpc;
import io.strata.proto.insight.v1.InsightServiceGrpc.InsightServiceBlockingStub;
import io.strata.proto.insight.v1.TgiRow;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.segmentation.v1.SegmentMembership;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalStack;
import io.strata.testing.PartitionsLoading;
import io.strata.testing.ServiceLogsOnFailure;
import io.strata.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * insight-service scaled out: two replicas of the packaged service share a feed of four partitions
 * through their consumer group, each storing its own two, and answer TGI, retention, GROW,
 * association rules, funnels and the status by scatter-gather. Whichever replica is asked, the answers equal
 * what the test planted; they stay equal when one replica stops (a replica alone), when it comes
 * back to its store, and when one is killed ({@code kill -9}) and the other reads its partitions.
 */
class InsightReplicasIT {

    private static final Path ROOT = Path.of(System.getProperty("strata.root", "../.."));
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String CHANGES = "test.strata.insight-replicas." + RUN + ".profile-changes.v1";
    private static final String EVENTS = "test.strata.insight-replicas." + RUN + ".profile-events.v1";
    private static final String MEMBERSHIP = "test.strata.insight-replicas." + RUN + ".segment-membership.v1";
    private static final int PARTITIONS = 4;
    private static final String TENANT = "demo";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int PORT_A = 28384;
    private static final int PORT_B = 28484;
    private static final String FANS = "fans-" + RUN;
    private static final String REST = "rest-" + RUN;
    private static final String ADS = "ads-" + RUN;
    private static final String CREATOR = "creator-" + RUN;
    private static final Instant T0 = Instant.parse("2026-05-04T02:00:00Z");

    private static KafkaProducer<String, byte[]> producer;
    private static ServiceProcess a;
    private static ServiceProcess b;
    private static Path stores;
    /** Whether the scenario has imported its costs yet. */
    private static boolean imported;

    private static final Map<Integer, ManagedChannel> channels = new HashMap<>();

    @RegisterExtension
    static final ServiceLogsOnFailure LOGS =
            new ServiceLogsOnFailure(() -> Arrays.asList(a, b), Pattern.compile("FeedLoop|Replica| WARN | ERROR "));

    @BeforeAll
    static void start() throws Exception {
        LocalStack.requireKafkaAndPostgres();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(
                            new NewTopic(CHANGES, PARTITIONS, (short) 1),
                            new NewTopic(EVENTS, PARTITIONS, (short) 1),
                            new NewTopic(MEMBERSHIP, PARTITIONS, (short) 1)))
                    .all()
                    .get();
        }
        stores = Files.createTempDirectory("strata-insight-replicas-");
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        // 100 fans: 60 watch guochao content, all add tea, 40 buy tea with cups; 300 others: 30 guochao
        for (int i = 0; i < 400; i++) {
            boolean fan = i < 100;
            String profile = RUN + "-p" + i;
            membership(profile, fan ? FANS : REST);
            boolean guochao = fan ? i < 60 : i < 130;
            send(profile, "Content Viewed", T0, Map.of("channel", "douyin", "topic", guochao ? "guochao" : "food"));
            if (fan) {
                send(profile, "Product Added", T0.plusSeconds(60), Map.of("category", "tea"));
                if (i < 40) {
                    send(
                            profile,
                            "Order Completed",
                            T0.plusSeconds(600),
                            Map.of(
                                    "order_id",
                                    profile + "-o",
                                    "revenue",
                                    50,
                                    "products",
                                    List.of(
                                            Map.of("category", "tea", "price", 30),
                                            Map.of("category", "cups", "price", 20))));
                }
            }
        }
        producer.flush();
        a = replica(PORT_A).start(WAIT);
        b = replica(PORT_B).start(WAIT);
    }

    @AfterAll
    static void stop() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (ServiceProcess replica : new ServiceProcess[] {a, b}) {
            if (replica != null) {
                replica.stop();
            }
        }
        if (producer != null) {
            producer.close();
        }
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(CHANGES, EVENTS, MEMBERSHIP)).all().get();
        } catch (Exception e) {
            // the broker drops them with the next local stack; nothing else reads them
        }
    }

    private static ServiceProcess replica(int port) {
        return new ServiceProcess(ROOT, "insight-service", port)
                .property("KAFKA_BOOTSTRAP_SERVERS", LocalStack.kafkaBootstrapServers())
                .property("OIDC_AUTH_SERVER_URL", KeycloakTokens.issuer())
                .secret("STRATA_INSIGHT_SERVICE_CLIENT_SECRET", KeycloakTokens.secret("strata-insight-service"))
                .property(
                        "strata.insight.store.dir",
                        stores.resolve("replica-" + port).toString())
                .property("strata.insight.store.memory-limit", "512MB")
                .property("DB_NAME", "strata_insight_test")
                .secret("DB_PASSWORD", "strata")
                .property("strata.insight.feed.profile-events-topic", EVENTS)
                .property("strata.insight.feed.profile-changes-topic", CHANGES)
                .property("strata.insight.feed.membership-topic", MEMBERSHIP)
                .property("strata.insight.feed.group", "insight-replicas-" + RUN)
                .property("strata.insight.feed.session-timeout", "PT6S")
                .property("strata.insight.feed.flush-every", "PT0.5S")
                .property("strata.insight.tgi.refresh", "0S")
                .property("strata.insight.dead-letter-topic", "test.strata.events.dlq.v1")
                .property("strata.insight.replicas.peers", "127.0.0.1:" + PORT_A + ",localhost:" + PORT_B)
                .property("strata.insight.replicas.refresh-every", "PT0.5S");
    }

    /**
     * One scenario, in order: both replicas; costs imported through A, weighed by both; B stops and A
     * is alone; B comes back; A is killed and B is alone. Each step ends with every answer equal to the planted truth, through each live
     * replica.
     */
    @Test
    void twoReplicasAnswerAsOneAndARebalanceLosesNothing() {
        await().atMost(WAIT).until(() -> livePartitions(a) == 2 && livePartitions(b) == 2);
        everyAnswerIsTheTruth(a, b);

        // costs imported through A are weighed by B too: they live in the service's database
        as(a, "mia")
                .importCosts(ImportCostsRequest.newBuilder()
                        .setTenant(TENANT)
                        .addRows(CostRow.newBuilder()
                                .setDay("2026-05-04")
                                .setChannel(ADS)
                                .setCost(800))
                        .addRows(CostRow.newBuilder()
                                .setDay("2026-05-04")
                                .setChannel("douyin")
                                .setCreator(CREATOR)
                                .setCost(300))
                        .build());
        imported = true;
        everyAnswerIsTheTruth(a, b);

        // B stops: its partitions move to A, which reads them into its own store and answers alone
        b.stop();
        await().atMost(WAIT).until(() -> livePartitions(a) == 4);
        everyAnswerIsTheTruth(a);

        // B comes back to its store: the partitions are shared again
        b = replica(PORT_B).start(WAIT);
        await().atMost(WAIT).until(() -> livePartitions(a) == 2 && livePartitions(b) == 2);
        everyAnswerIsTheTruth(a, b);

        // A is killed (kill -9): once the group notices, B has every partition
        a.kill();
        await().atMost(WAIT).until(() -> livePartitions(b) == 4);
        everyAnswerIsTheTruth(b);
    }

    private static void everyAnswerIsTheTruth(ServiceProcess... replicas) {
        for (ServiceProcess replica : replicas) {
            InsightServiceBlockingStub ana = as(replica);
            GetTgiResponse tgi = retrying(() -> ana.getTgi(GetTgiRequest.newBuilder()
                    .setTenant(TENANT)
                    .setAudience(FANS)
                    .setBase("segment:" + REST)
                    .addDimensions("topic")
                    .setMinBase(10)
                    .build()));
            assertEquals(100, tgi.getAudienceSize(), "on " + replica.port());
            assertEquals(300, tgi.getBaseSize());
            TgiRow guochao = tgi.getRowsList().stream()
                    .filter(r -> r.getValue().equals("guochao"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(List.of(60L, 30L), List.of(guochao.getAudienceWith(), guochao.getBaseWith()));
            assertEquals(600, guochao.getIndex(), 1e-9, "0.6 against 30/300");

            GetTgiResponse all = retrying(() -> ana.getTgi(GetTgiRequest.newBuilder()
                    .setTenant(TENANT)
                    .setAudience(FANS)
                    .addDimensions("topic")
                    .setMinBase(10)
                    .build()));
            assertEquals(400, all.getBaseSize(), "every profile, once");

            var retention = retrying(() -> ana.getRetention(GetRetentionRequest.newBuilder()
                    .setTenant(TENANT)
                    .setStartEvent("Content Viewed")
                    .setReturnEvent("Product Added")
                    .setPeriod("day")
                    .setPeriods(2)
                    .setAudience(FANS)
                    .build()));
            assertEquals(100, retention.getTables(0).getOverall().getSize());
            assertEquals(100, retention.getTables(0).getOverall().getReturnedOn(0), "every fan added tea that day");

            var grow = retrying(() -> ana.getGrow(GetGrowRequest.newBuilder()
                    .setTenant(TENANT)
                    .setBeforeFrom(seconds(T0.minusSeconds(86_400)))
                    .setBeforeTo(seconds(T0.plusSeconds(300)))
                    .setAfterFrom(seconds(T0.plusSeconds(300)))
                    .setAfterTo(seconds(T0.plusSeconds(86_400)))
                    .build()));
            assertEquals(2000, grow.getTotal().getAfter(), 1e-9, "40 orders of 50");

            var rules = retrying(() -> ana.getAssociationRules(GetAssociationRulesRequest.newBuilder()
                    .setTenant(TENANT)
                    .setAudience(FANS)
                    .setMinSupport(0.5)
                    .build()));
            assertEquals(40, rules.getBaskets());
            assertTrue(
                    rules.getRulesList().stream()
                            .anyMatch(r -> r.getAntecedentList().equals(List.of("tea"))
                                    && r.getConsequentList().equals(List.of("cups"))
                                    && r.getConfidence() == 1.0),
                    "tea -> cups in every basket");

            var funnel = retrying(() -> ana.getFunnel(GetFunnelRequest.newBuilder()
                    .setTenant(TENANT)
                    .addSteps(FunnelStep.newBuilder().setEvent("Content Viewed"))
                    .addSteps(FunnelStep.newBuilder().setEvent("Product Added"))
                    .addSteps(FunnelStep.newBuilder().setEvent("Order Completed"))
                    .setAudience(FANS)
                    .build()));
            var steps = funnel.getGroups(0).getStepsList();
            assertEquals(
                    List.of(100L, 100L, 40L),
                    steps.stream().map(FunnelStepResult::getPeople).toList());
            assertEquals(
                    List.of(0L, 60L, 540L),
                    steps.stream()
                            .map(FunnelStepResult::getMedianSecondsFromPrevious)
                            .toList());
            // in Java (strict order), broken down by audience
            var strict = retrying(() -> ana.getFunnel(GetFunnelRequest.newBuilder()
                    .setTenant(TENANT)
                    .addSteps(FunnelStep.newBuilder().setEvent("Content Viewed"))
                    .addSteps(FunnelStep.newBuilder().setEvent("Product Added"))
                    .setOrder("strict")
                    .addBreakdownAudiences(FANS)
                    .addBreakdownAudiences(REST)
                    .build()));
            assertEquals(
                    Map.of(FANS, List.of(100L, 100L), REST, List.of(300L, 0L)),
                    strict.getGroupsList().stream()
                            .collect(java.util.stream.Collectors.toMap(
                                    g -> g.getGroup(),
                                    g -> g.getStepsList().stream()
                                            .map(FunnelStepResult::getPeople)
                                            .toList())));

            var economics = retrying(() -> ana.getEconomics(GetEconomicsRequest.newBuilder()
                    .setTenant(TENANT)
                    .setFrom(seconds(T0.minusSeconds(7_200)))
                    .setTo(seconds(T0.plusSeconds(86_400)))
                    .build()));
            ChannelEconomics douyin = economics.getChannelsList().stream()
                    .filter(c -> c.getChannel().equals("douyin"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    List.of(400L, 40L, 2000.0),
                    List.of(douyin.getAcquired(), douyin.getBuyers(), douyin.getRevenue()),
                    "every profile came by its first content's channel, once");
            Map<String, Double> costs = new HashMap<>();
            economics.getChannelsList().stream()
                    .filter(c -> c.getChannel().equals(ADS))
                    .forEach(c -> costs.put(c.getChannel(), c.getCost()));
            economics.getContentsList().stream()
                    .filter(c -> c.getCreator().equals(CREATOR))
                    .forEach(c -> costs.put(c.getCreator(), c.getCost()));
            assertEquals(
                    imported ? Map.of(ADS, 800.0, CREATOR, 300.0) : Map.of(),
                    costs,
                    "the costs imported through either replica, on " + replica.port());

            var status = retrying(() -> ana.getInsightStatus(
                    GetInsightStatusRequest.newBuilder().setTenant(TENANT).build()));
            assertEquals(List.of(540L, 400L), List.of(status.getEvents(), status.getProfiles()));
        }
    }

    // ---- calls ----

    /** A call made again while the service answers that a partition is loading. */
    private static <T> T retrying(Callable<T> call) {
        return PartitionsLoading.retrying(call, WAIT);
    }

    private static InsightServiceBlockingStub as(ServiceProcess replica) {
        return as(replica, "ana");
    }

    private static InsightServiceBlockingStub as(ServiceProcess replica, String user) {
        ManagedChannel channel = channels.computeIfAbsent(
                replica.port(),
                p -> NettyChannelBuilder.forAddress("127.0.0.1", p)
                        .usePlaintext()
                        .build());
        return InsightServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                        KeycloakTokens.forUser(KeycloakTokens.serviceToken(), KeycloakTokens.accessToken(user))))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** The partitions the replica serves, from its metrics (-1 when it does not answer). */
    private static int livePartitions(ServiceProcess replica) {
        return (int) replica.gauge("strata_insight_partitions_live");
    }

    // ---- the feed, as profile-service and segmentation-service write it ----

    private static void send(String profile, String name, Instant at, Map<String, ?> properties) {
        Struct props = value(properties).getStructValue();
        Event event = Event.newBuilder()
                .setTenant(TENANT)
                .setSourceId("replicas")
                .setMessageId(UUID.randomUUID().toString())
                .setType(EventType.EVENT_TYPE_TRACK)
                .setEvent(name)
                .setProperties(props)
                .setTimestamp(seconds(at))
                .build();
        ProfileEvent record = ProfileEvent.newBuilder()
                .setTenant(TENANT)
                .setProfileId(profile)
                .setEvent(event)
                .setAppliedAt(seconds(Instant.now()))
                .build();
        producer.send(new ProducerRecord<>(EVENTS, TENANT + "/" + profile, record.toByteArray()));
    }

    private static Value value(Object o) {
        if (o instanceof Map<?, ?> map) {
            Struct.Builder struct = Struct.newBuilder();
            map.forEach((k, v) -> struct.putFields((String) k, value(v)));
            return Value.newBuilder().setStructValue(struct).build();
        }
        if (o instanceof List<?> list) {
            ListValue.Builder values = ListValue.newBuilder();
            list.forEach(v -> values.addValues(value(v)));
            return Value.newBuilder().setListValue(values).build();
        }
        if (o instanceof Number n) {
            return Value.newBuilder().setNumberValue(n.doubleValue()).build();
        }
        return Value.newBuilder().setStringValue(String.valueOf(o)).build();
    }

    private static void membership(String profile, String segment) {
        SegmentMembership m = SegmentMembership.newBuilder()
                .setTenant(TENANT)
                .setProfileId(profile)
                .setSegmentId(segment)
                .setEntered(true)
                .setChangedAt(seconds(Instant.now()))
                .build();
        producer.send(new ProducerRecord<>(MEMBERSHIP, TENANT + "/" + profile, m.toByteArray()));
    }

    private static Timestamp seconds(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).build();
    }

    private static Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        return Admin.create(props);
    }
}
