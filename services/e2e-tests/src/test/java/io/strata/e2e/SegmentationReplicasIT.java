package io.strata.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.profile.v1.ProfileUpdated;
import io.strata.proto.segmentation.v1.CheckMembershipRequest;
import io.strata.proto.segmentation.v1.CheckMembershipsRequest;
import io.strata.proto.segmentation.v1.CreateSegmentRequest;
import io.strata.proto.segmentation.v1.ExplainMembershipRequest;
import io.strata.proto.segmentation.v1.ExportMembersRequest;
import io.strata.proto.segmentation.v1.GetOverlapRequest;
import io.strata.proto.segmentation.v1.GetOverlapResponse;
import io.strata.proto.segmentation.v1.GetSegmentRequest;
import io.strata.proto.segmentation.v1.ListProfileSegmentsRequest;
import io.strata.proto.segmentation.v1.MembershipCheck;
import io.strata.proto.segmentation.v1.PreviewSegmentRequest;
import io.strata.proto.segmentation.v1.Segment;
import io.strata.proto.segmentation.v1.SegmentKind;
import io.strata.proto.segmentation.v1.SegmentMembership;
import io.strata.proto.segmentation.v1.SegmentState;
import io.strata.proto.segmentation.v1.SegmentationServiceGrpc;
import io.strata.proto.segmentation.v1.SegmentationServiceGrpc.SegmentationServiceBlockingStub;
import io.strata.proto.segmentation.v1.SetStaticMembersRequest;
import io.strata.proto.segmentation.v1.StaticMode;
import io.strata.testing.KafkaProbe;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalStack;
import io.strata.testing.PartitionsLoading;
import io.strata.testing.ServiceLogsOnFailure;
import io.strata.testing.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * segmentation-service scaled out: two replicas of the packaged service share a change feed of
 * four partitions through their consumer group, each holding the audiences of its own two, and
 * answer every query by scatter-gather. Whichever replica is asked, sizes, members, overlaps,
 * lookups and explanations equal what the test knows of its data; they stay equal when one replica
 * stops (its partitions move to the other: a replica alone), when it comes back, and when one is
 * killed ({@code kill -9}); the membership records say exactly one enter per member throughout.
 */
class SegmentationReplicasIT {

    private static final Path ROOT = Path.of(System.getProperty("strata.root", "../.."));
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String CHANGES = "test.strata.replicas." + RUN + ".profile-changes.v1";
    private static final String EVENTS = "test.strata.replicas." + RUN + ".profile-events.v1";
    private static final String MEMBERSHIP = "test.strata.replicas." + RUN + ".segment-membership.v1";
    private static final int PARTITIONS = 4;
    private static final int PROFILES = 400;
    private static final String TENANT = "demo";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int PORT_A = 28383;
    private static final int PORT_B = 28483;
    private static final String[] CITIES = {"Beijing", "Shanghai", "Chengdu"};

    private static final String SHANGHAI = "shanghai-" + RUN;
    private static final String BUYERS = "buyers-" + RUN;
    private static final String BOTH = "shanghai-buyers-" + RUN;
    private static final String VIP = "vip-" + RUN;

    private static KafkaProducer<String, byte[]> producer;
    private static KafkaProbe membership;
    private static ServiceProcess a;
    private static ServiceProcess b;
    private static final Map<String, ManagedChannel> channels = new HashMap<>();
    private static final List<String> ids = new ArrayList<>();
    private static final Map<String, String> city = new HashMap<>();
    private static final Map<String, Long> versions = new HashMap<>();
    private static final Set<String> buyers = new TreeSet<>();
    private static final Set<String> vip = new TreeSet<>();

    @RegisterExtension
    static final ServiceLogsOnFailure LOGS = new ServiceLogsOnFailure(
            () -> Arrays.asList(a, b), Pattern.compile("FeedLoop|\\.Engine\\]|Replicas| WARN | ERROR "));

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
        emptyDatabase();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        membership = new KafkaProbe(MEMBERSHIP);
        for (int i = 0; i < PROFILES; i++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            traits(id, CITIES[i % 3]);
            if (i % 4 == 0) {
                double revenue = 100 + (i % 7) * 50;
                order(id, revenue);
                if (revenue >= 200) {
                    buyers.add(id);
                }
            }
        }
        producer.flush();
        a = replica(PORT_A).start(WAIT);
        b = replica(PORT_B).start(WAIT);
    }

    @AfterAll
    static void stop() {
        channels.values().forEach(c -> c.shutdownNow());
        for (ServiceProcess replica : new ServiceProcess[] {a, b}) {
            if (replica != null) {
                replica.stop();
            }
        }
        if (membership != null) {
            membership.close();
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
        return new ServiceProcess(ROOT, "segmentation-service", port)
                .property("DB_NAME", "strata_segmentation_test")
                .secret("DB_PASSWORD", "strata")
                .property("KAFKA_BOOTSTRAP_SERVERS", LocalStack.kafkaBootstrapServers())
                .property("OIDC_AUTH_SERVER_URL", KeycloakTokens.issuer())
                .secret(
                        "STRATA_SEGMENTATION_SERVICE_CLIENT_SECRET",
                        KeycloakTokens.secret("strata-segmentation-service"))
                .property("strata.segmentation.feed.profile-changes-topic", CHANGES)
                .property("strata.segmentation.feed.profile-events-topic", EVENTS)
                .property("strata.segmentation.feed.membership-topic", MEMBERSHIP)
                .property("strata.segmentation.feed.group", "segmentation-replicas-" + RUN)
                .property("strata.segmentation.feed.session-timeout", "PT6S")
                .property("strata.segmentation.dead-letter-topic", "test.strata.events.dlq.v1")
                .property("strata.segmentation.replicas.peers", "127.0.0.1:" + PORT_A + ",localhost:" + PORT_B)
                .property("strata.segmentation.replicas.refresh-every", "PT0.5S")
                // no scheduled model runs: they would write tags to a profile-service this test has not
                .property("strata.segmentation.models.run-every", "0S");
    }

    /**
     * One scenario, in order: both replicas; B stops and A is alone; B comes back; A is killed and B
     * is alone. Each step ends with every answer equal to the truth, through each live replica.
     */
    @Test
    void twoReplicasAnswerAsOneAndARebalanceLosesNothing() throws Exception {
        await().atMost(WAIT).until(() -> livePartitions(a) == 2 && livePartitions(b) == 2);
        create(a, SHANGHAI, "{'field': 'traits.city', 'op': 'eq', 'value': 'Shanghai'}", SegmentKind.SEGMENT_KIND_RULE);
        create(
                b,
                BUYERS,
                "{'event': 'Order Completed', 'where': [{'property': 'revenue', 'op': 'gte', 'value': 200}]}",
                SegmentKind.SEGMENT_KIND_RULE);
        create(
                a,
                BOTH,
                "{'all': [{'segment': '" + SHANGHAI + "'}, {'segment': '" + BUYERS + "'}]}",
                SegmentKind.SEGMENT_KIND_RULE);
        create(b, VIP, "", SegmentKind.SEGMENT_KIND_STATIC);

        // a static audience set through A: ids of every partition, and two of no profile
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < PROFILES; i += 5) {
            chosen.add(ids.get(i));
        }
        vip.addAll(chosen);
        List<String> upload = new ArrayList<>(chosen);
        upload.add("nobody-" + RUN);
        upload.add(UUID.randomUUID().toString());
        // a replacement is idempotent: sent again while a partition loads (as the answer says to)
        var set = retrying(() -> as(a, "mia")
                .setStaticMembers(SetStaticMembersRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSegmentId(VIP)
                        .setMode(StaticMode.STATIC_MODE_REPLACE)
                        .addAllProfileIds(upload)
                        .build()));
        assertEquals(vip.size(), set.getSize(), "the static audience's size over both replicas");
        assertEquals(2, set.getUnknown(), "the ids of no profile");

        everyAnswerIsTheTruth(a, b);

        // B stops: its partitions move to A, which answers alone
        b.stop();
        await().atMost(WAIT).until(() -> livePartitions(a) == 4);
        for (int i = 0; i < 60; i++) {
            traits(ids.get(i), "Shanghai");
        }
        producer.flush();
        everyAnswerIsTheTruth(a);

        // B comes back: the partitions are shared again
        b = replica(PORT_B).start(WAIT);
        await().atMost(WAIT).until(() -> livePartitions(a) == 2 && livePartitions(b) == 2);
        for (int i = 60; i < 90; i++) {
            traits(ids.get(i), "Chengdu");
        }
        producer.flush();
        everyAnswerIsTheTruth(a, b);

        // A is killed (kill -9): once the group notices, B has every partition
        a.kill();
        await().atMost(WAIT).until(() -> livePartitions(b) == 4);
        everyAnswerIsTheTruth(b);

        exactlyOneRecordPerChange();
    }

    private void everyAnswerIsTheTruth(ServiceProcess... replicas) {
        Set<String> shanghai = new TreeSet<>();
        city.forEach((id, c) -> {
            if (c.equals("Shanghai")) {
                shanghai.add(id);
            }
        });
        Set<String> both = new TreeSet<>(shanghai);
        both.retainAll(buyers);
        Map<String, Set<String>> truth = Map.of(SHANGHAI, shanghai, BUYERS, buyers, BOTH, both, VIP, vip);
        for (ServiceProcess replica : replicas) {
            // the feed applied and every partition answered: sizes complete and equal to the truth
            await().atMost(WAIT)
                    .ignoreExceptionsMatching(PartitionsLoading::loading)
                    .untilAsserted(() -> {
                        for (var entry : truth.entrySet()) {
                            Segment segment = segment(replica, entry.getKey());
                            assertTrue(segment.getFreshness().getComplete(), entry.getKey() + " complete");
                            assertEquals(
                                    entry.getValue().size(),
                                    segment.getSize(),
                                    entry.getKey() + " on " + replica.port());
                        }
                    });
            for (var entry : truth.entrySet()) {
                assertEquals(
                        entry.getValue(),
                        retrying(() -> exported(replica, entry.getKey())),
                        "the members of " + entry.getKey());
            }
            GetOverlapResponse overlap = retrying(() -> as(replica, "vic")
                    .getOverlap(GetOverlapRequest.newBuilder()
                            .setTenant(TENANT)
                            .addSegmentIds(SHANGHAI)
                            .addSegmentIds(BUYERS)
                            .build()));
            assertEquals(shanghai.size(), overlap.getSizesOrThrow(SHANGHAI));
            long onlyShanghai = overlap.getRegionsList().stream()
                    .filter(r -> r.getSegmentIdsList().equals(List.of(SHANGHAI)))
                    .mapToLong(r -> r.getSize())
                    .sum();
            assertEquals(shanghai.size() - both.size(), onlyShanghai, "Shanghai without the buyers");
            assertEquals(
                    buyers.size(),
                    retrying(() -> as(replica, "vic")
                            .previewSegment(PreviewSegmentRequest.newBuilder()
                                    .setTenant(TENANT)
                                    .setDefinition("{\"event\": \"Order Completed\", \"where\":"
                                            + " [{\"property\": \"revenue\", \"op\": \"gte\", \"value\":"
                                            + " 200}]}")
                                    .build())
                            .getSize()),
                    "a preview over both replicas' partitions");
            // every profile looked up through this replica, on whichever replica holds it
            SegmentationServiceBlockingStub viewer = as(replica, "vic");
            for (String id : ids) {
                boolean member = retrying(() -> viewer.checkMembership(CheckMembershipRequest.newBuilder()
                                .setTenant(TENANT)
                                .setProfileId(id)
                                .setSegmentId(BOTH)
                                .build())
                        .getMember());
                assertEquals(both.contains(id), member, "is " + id + " in " + BOTH);
            }
            // and all of them in one call: the profiles of the other replica's partitions asked there
            CheckMembershipsRequest.Builder batch =
                    CheckMembershipsRequest.newBuilder().setTenant(TENANT);
            ids.forEach(id -> batch.addChecks(
                    MembershipCheck.newBuilder().setProfileId(id).setSegmentId(BOTH)));
            assertEquals(
                    ids.stream().map(both::contains).toList(),
                    retrying(() -> viewer.checkMemberships(batch.build()).getMembersList()),
                    "every profile's answer, in order");
            for (String id : ids.subList(0, 40)) {
                Set<String> in =
                        new TreeSet<>(retrying(() -> viewer.listProfileSegments(ListProfileSegmentsRequest.newBuilder()
                                        .setTenant(TENANT)
                                        .setProfileId(id)
                                        .build())
                                .getSegmentIdsList()));
                Set<String> expected = new TreeSet<>();
                truth.forEach((segment, members) -> {
                    if (members.contains(id)) {
                        expected.add(segment);
                    }
                });
                in.retainAll(truth.keySet());
                assertEquals(expected, in, "the audiences of " + id);
                var explained = retrying(() -> viewer.explainMembership(ExplainMembershipRequest.newBuilder()
                        .setTenant(TENANT)
                        .setProfileId(id)
                        .setSegmentId(SHANGHAI)
                        .build()));
                assertEquals(shanghai.contains(id), explained.getMember(), "explained: " + id);
                assertEquals(
                        shanghai.contains(id),
                        explained.getConditions(0).getHeld(),
                        "the condition on the city, for " + id + " of " + city.get(id));
            }
        }
    }

    /** Per audience and profile, the records alternate enter/exit and end as the truth says. */
    private void exactlyOneRecordPerChange() throws InvalidProtocolBufferException {
        Map<String, Boolean> last = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : membership.drain(Duration.ofSeconds(3))) {
            SegmentMembership change = SegmentMembership.parseFrom(record.value());
            if (!change.getSegmentId().endsWith(RUN)) {
                continue;
            }
            String key = change.getSegmentId() + "|" + change.getProfileId();
            Boolean before = last.put(key, change.getEntered());
            assertFalse(
                    before != null && before == change.getEntered(),
                    (change.getEntered() ? "entered " : "left ") + key + " twice in a row");
            assertTrue(before != null || change.getEntered(), "left before entering: " + key);
        }
        Set<String> in = new TreeSet<>();
        last.forEach((key, entered) -> {
            if (entered) {
                in.add(key);
            }
        });
        Set<String> expected = new TreeSet<>();
        city.forEach((id, c) -> {
            if (c.equals("Shanghai")) {
                expected.add(SHANGHAI + "|" + id);
                if (buyers.contains(id)) {
                    expected.add(BOTH + "|" + id);
                }
            }
        });
        buyers.forEach(id -> expected.add(BUYERS + "|" + id));
        vip.forEach(id -> expected.add(VIP + "|" + id));
        assertEquals(expected, in, "the members the records announce");
    }

    // ---- calls ----

    /** A call made again while the service answers that a partition is loading. */
    private static <T> T retrying(Callable<T> call) {
        return PartitionsLoading.retrying(call, WAIT);
    }

    private static SegmentationServiceBlockingStub as(ServiceProcess replica, String user) {
        ManagedChannel channel = channels.computeIfAbsent(
                replica.port() + "",
                p -> NettyChannelBuilder.forAddress("127.0.0.1", replica.port())
                        .usePlaintext()
                        .build());
        return SegmentationServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                        KeycloakTokens.forUser(KeycloakTokens.serviceToken(), KeycloakTokens.accessToken(user))))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static void create(ServiceProcess replica, String id, String definition, SegmentKind kind) {
        as(replica, "mia")
                .createSegment(CreateSegmentRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSegmentId(id)
                        .setName(id)
                        .setKind(kind)
                        .setDefinition(definition.replace('\'', '"'))
                        .setState(SegmentState.SEGMENT_STATE_ACTIVE)
                        .build());
    }

    private static Segment segment(ServiceProcess replica, String id) {
        return as(replica, "vic")
                .getSegment(GetSegmentRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSegmentId(id)
                        .build())
                .getSegment();
    }

    private static Set<String> exported(ServiceProcess replica, String id) {
        Set<String> out = new TreeSet<>();
        Iterator<?> chunks = as(replica, "vic")
                .exportMembers(ExportMembersRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSegmentId(id)
                        .build());
        chunks.forEachRemaining(
                c -> out.addAll(((io.strata.proto.segmentation.v1.ExportMembersResponse) c).getProfileIdsList()));
        return out;
    }

    /** The partitions the replica serves, from its metrics (-1 when it does not answer). */
    private static int livePartitions(ServiceProcess replica) {
        return (int) replica.gauge("strata_segmentation_partitions_live");
    }

    // ---- the feed, as profile-service writes it ----

    private static void traits(String id, String value) {
        city.put(id, value);
        long version = versions.merge(id, 1L, Long::sum);
        ProfileChange change = ProfileChange.newBuilder()
                .setTenant(TENANT)
                .setProfileId(id)
                .setChangeId(id + "/" + version)
                .setVersion(version)
                .setChangedAt(now())
                .setUpdated(ProfileUpdated.newBuilder()
                        .putTraits(
                                "city", Value.newBuilder().setStringValue(value).build()))
                .build();
        producer.send(new ProducerRecord<>(CHANGES, TENANT + "/" + id, change.toByteArray()));
    }

    private static void order(String id, double revenue) {
        Event event = Event.newBuilder()
                .setTenant(TENANT)
                .setSourceId("replicas")
                .setMessageId(UUID.randomUUID().toString())
                .setType(EventType.EVENT_TYPE_TRACK)
                .setEvent("Order Completed")
                .setProperties(Struct.newBuilder()
                        .putFields(
                                "revenue",
                                Value.newBuilder().setNumberValue(revenue).build()))
                .setTimestamp(now())
                .build();
        ProfileEvent record = ProfileEvent.newBuilder()
                .setTenant(TENANT)
                .setProfileId(id)
                .setEvent(event)
                .setAppliedAt(now())
                .build();
        producer.send(new ProducerRecord<>(EVENTS, TENANT + "/" + id, record.toByteArray()));
    }

    private static Timestamp now() {
        Instant at = Instant.now();
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }

    private static Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        return Admin.create(props);
    }

    /** The replicas start from an empty test database (as segmentation-service's own tests do). */
    private static void emptyDatabase() {
        LocalStack.emptyTestDatabase("segmentation", "strata_segmentation", "strata");
    }
}
