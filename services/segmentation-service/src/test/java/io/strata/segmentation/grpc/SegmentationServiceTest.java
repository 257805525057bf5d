package io.strata.segmentation.grpc;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.platform.errors.Errors;
import io.strata.platform.kafka.Keys;
import io.strata.proto.segmentation.v1.CheckMembersRequest;
import io.strata.proto.segmentation.v1.CheckMembershipRequest;
import io.strata.proto.segmentation.v1.CheckMembershipsRequest;
import io.strata.proto.segmentation.v1.CountMembersRequest;
import io.strata.proto.segmentation.v1.CreateSegmentRequest;
import io.strata.proto.segmentation.v1.DailySize;
import io.strata.proto.segmentation.v1.DescribeReplicaRequest;
import io.strata.proto.segmentation.v1.ExplainMembershipRequest;
import io.strata.proto.segmentation.v1.ExplainMembershipResponse;
import io.strata.proto.segmentation.v1.ExportMembersRequest;
import io.strata.proto.segmentation.v1.ExportMembersResponse;
import io.strata.proto.segmentation.v1.ExportPartitionsRequest;
import io.strata.proto.segmentation.v1.FindProfileRequest;
import io.strata.proto.segmentation.v1.GetOverlapRequest;
import io.strata.proto.segmentation.v1.GetOverlapResponse;
import io.strata.proto.segmentation.v1.GetSegmentRequest;
import io.strata.proto.segmentation.v1.GetSizeHistoryRequest;
import io.strata.proto.segmentation.v1.ListProfileSegmentsRequest;
import io.strata.proto.segmentation.v1.ListSegmentVersionsRequest;
import io.strata.proto.segmentation.v1.MembershipCause;
import io.strata.proto.segmentation.v1.MembershipCheck;
import io.strata.proto.segmentation.v1.PartitionCheck;
import io.strata.proto.segmentation.v1.PreviewSegmentRequest;
import io.strata.proto.segmentation.v1.Segment;
import io.strata.proto.segmentation.v1.SegmentKind;
import io.strata.proto.segmentation.v1.SegmentMembership;
import io.strata.proto.segmentation.v1.SegmentState;
import io.strata.proto.segmentation.v1.SegmentationReplicaService;
import io.strata.proto.segmentation.v1.SegmentationService;
import io.strata.proto.segmentation.v1.SetSegmentStateRequest;
import io.strata.proto.segmentation.v1.SetStaticMembersRequest;
import io.strata.proto.segmentation.v1.StaticMode;
import io.strata.proto.segmentation.v1.UpdateSegmentRequest;
import io.strata.segmentation.messaging.FeedLoop;
import io.strata.segmentation.service.Engine;
import io.strata.segmentation.support.FakeProfileService;
import io.strata.segmentation.support.Feed;
import io.strata.segmentation.support.FeedTopics;
import io.strata.testing.KafkaProbe;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.Management;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service end to end on the local stack: feed records in, membership records out (exactly one
 * per change), the RPCs with their roles and tenants, and a reload from what was stored.
 */
@QuarkusTest
@QuarkusTestResource(value = FeedTopics.class, restrictToAnnotatedClass = true)
class SegmentationServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TENANT = "demo";
    private static final AtomicInteger IDS = new AtomicInteger();

    @GrpcClient("segmentation")
    SegmentationService client;

    @GrpcClient("segmentation")
    SegmentationReplicaService replica;

    @Inject
    FeedLoop loop;

    @Inject
    Engine engine;

    @Inject
    MeterRegistry registry;

    private static String gateway;
    private static Feed feed;

    @BeforeAll
    static void ready() {
        gateway = KeycloakTokens.serviceToken();
        feed = new Feed(TENANT);
    }

    @AfterAll
    static void close() {
        feed.close();
    }

    private SegmentationService as(String user) {
        return GrpcClientUtils.attachHeaders(client, KeycloakTokens.forUser(gateway, KeycloakTokens.accessToken(user)));
    }

    private static String id(String name) {
        return name + "-" + FeedTopics.RUN + "-" + IDS.incrementAndGet();
    }

    private Segment create(String id, String definition) {
        return as("mia")
                .createSegment(CreateSegmentRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSegmentId(id)
                        .setName(id)
                        .setDefinition(definition.replace('\'', '"'))
                        .setState(SegmentState.SEGMENT_STATE_ACTIVE)
                        .build())
                .await()
                .atMost(WAIT)
                .getSegment();
    }

    private long size(String id) {
        return as("vic")
                .getSegment(GetSegmentRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSegmentId(id)
                        .build())
                .await()
                .atMost(WAIT)
                .getSegment()
                .getSize();
    }

    /** The orders the engine holds for a profile, on whichever partition has it (-1: none has it). */
    private int eventCount(String profile) {
        return engine
                .readTables(TENANT, engine.live(), t -> {
                    var o = t.find(profile);
                    return o.isPresent()
                            ? t.facts(o.getAsInt()).events("Order Completed").size()
                            : -1;
                })
                .values()
                .stream()
                .mapToInt(Integer::intValue)
                .max()
                .orElse(-1);
    }

    /** A field of a profile as the engine holds it. */
    private Object trait(String profile, String field) {
        return engine
                .readTables(TENANT, engine.live(), t -> {
                    var o = t.find(profile);
                    return o.isPresent() ? t.facts(o.getAsInt()).value(field) : null;
                })
                .values()
                .stream()
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    private Set<String> exported(String segment) {
        return as("vic")
                .exportMembers(ExportMembersRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSegmentId(segment)
                        .build())
                .collect()
                .asList()
                .await()
                .atMost(WAIT)
                .stream()
                .flatMap(r -> ((ExportMembersResponse) r).getProfileIdsList().stream())
                .collect(Collectors.toSet());
    }

    private static SegmentMembership membership(ConsumerRecord<String, byte[]> record) {
        try {
            return SegmentMembership.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<SegmentMembership> of(List<ConsumerRecord<String, byte[]>> records, String segment) {
        return records.stream()
                .map(SegmentationServiceTest::membership)
                .filter(m -> m.getSegmentId().equals(segment))
                .toList();
    }

    private static List<SegmentMembership> awaitRecords(KafkaProbe probe, String segment, int count) {
        List<SegmentMembership> out = new ArrayList<>(
                of(probe.await(r -> membership(r).getSegmentId().equals(segment), count, WAIT), segment));
        assertEquals(count, out.size(), "membership records of " + segment + ": " + out);
        return out;
    }

    /** Records of several audiences at once (a probe's await drops what it does not match). */
    private static List<SegmentMembership> awaitRecords(KafkaProbe probe, Set<String> segments, int count) {
        List<SegmentMembership> out =
                probe.await(r -> segments.contains(membership(r).getSegmentId()), count, WAIT).stream()
                        .map(SegmentationServiceTest::membership)
                        .toList();
        assertEquals(count, out.size(), "membership records of " + segments + ": " + out);
        return out;
    }

    private static Set<String> ids(List<SegmentMembership> records, boolean entered) {
        return records.stream()
                .filter(m -> m.getEntered() == entered)
                .map(SegmentMembership::getProfileId)
                .collect(Collectors.toSet());
    }

    @Test
    void healthAndMetricsOnTheManagementPort() {
        await().atMost(WAIT).until(() -> engine.livePartitions() == 6);
        given().get(Management.url("/q/health/live"))
                .then()
                .statusCode(200)
                .body("checks.find { it.name == 'segmentation engine thread' }.status", is("UP"));
        given().get(Management.url("/q/health/ready"))
                .then()
                .statusCode(200)
                .body("checks.find { it.name == 'segmentation engine' }.data.partitions_live", is(6));
        given().get(Management.url("/q/metrics"))
                .then()
                .statusCode(200)
                .body(containsString("strata_segmentation_partitions_live"))
                .body(containsString("strata_segmentation_engine_busy_seconds"))
                .body(containsString("strata_segmentation_snapshots_total"));
    }

    /**
     * The replicas' own RPCs answer segmentation-service's client only; alone, this replica serves
     * every partition, and a profile is found on the partition of its key and on no other.
     */
    @Test
    void theReplicasRpcsAnswerTheServiceItselfFromThePartitionsItServes() {
        var refused = assertThrows(
                StatusRuntimeException.class,
                () -> GrpcClientUtils.attachHeaders(replica, KeycloakTokens.bearer(gateway))
                        .describeReplica(DescribeReplicaRequest.getDefaultInstance())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());

        SegmentationReplicaService own = GrpcClientUtils.attachHeaders(
                replica, KeycloakTokens.bearer(KeycloakTokens.clientToken("strata-segmentation-service")));
        String p = id("p");
        String town = id("town"); // a city of this test's only
        feed.traits(p, "city", town);
        String hz = id("hz");
        create(hz, "{'field': 'traits.city', 'op': 'eq', 'value': '" + town + "'}");
        await().atMost(WAIT).until(() -> size(hz) == 1);
        var state = own.describeReplica(DescribeReplicaRequest.getDefaultInstance())
                .await()
                .atMost(WAIT)
                .getReplica();
        assertEquals(List.of(0, 1, 2, 3, 4, 5), state.getLivePartitionsList());
        assertEquals(6, state.getFeedPartitions());

        int home = Keys.partition(Keys.profile(TENANT, p), 6);
        for (int partition = 0; partition < 6; partition++) {
            var found = own.findProfile(FindProfileRequest.newBuilder()
                            .setTenant(TENANT)
                            .setProfileId(p)
                            .setPartition(partition)
                            .build())
                    .await()
                    .atMost(WAIT);
            assertTrue(found.getLive());
            assertEquals(partition == home, found.getFound(), "partition " + partition);
            assertEquals(partition == home, found.getSegmentIdsList().contains(hz));
        }
        // a batch's checks on their partitions: on the key's partition the member, on others not,
        // and a partition not served here said to be not live
        var checked = own.checkMembers(CheckMembersRequest.newBuilder()
                        .setTenant(TENANT)
                        .addChecks(PartitionCheck.newBuilder()
                                .setProfileId(p)
                                .setPartition(home)
                                .setSegmentId(hz))
                        .addChecks(PartitionCheck.newBuilder()
                                .setProfileId(p)
                                .setPartition((home + 1) % 6)
                                .setSegmentId(hz))
                        .addChecks(PartitionCheck.newBuilder()
                                .setProfileId(p)
                                .setPartition(7)
                                .setSegmentId(hz))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(List.of(true, true, false), checked.getLiveList());
        assertEquals(List.of(true, false, false), checked.getMembersList());
        var counted = own.countMembers(CountMembersRequest.newBuilder()
                        .setTenant(TENANT)
                        .addSegmentIds(hz)
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(6, counted.getPartitionsCount());
        for (var count : counted.getPartitionsList()) {
            assertEquals(count.getPartition() == home ? 1 : 0, count.getSizes(0));
        }
        var invalid = assertThrows(
                StatusRuntimeException.class,
                () -> own.countMembers(CountMembersRequest.newBuilder()
                                .setTenant(TENANT)
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());
        assertEquals("segment_ids", Errors.violations(invalid).get(0).field());
        var elsewhere = assertThrows(
                StatusRuntimeException.class,
                () -> own.exportPartitions(ExportPartitionsRequest.newBuilder()
                                .setTenant(TENANT)
                                .setSegmentId(hz)
                                .addPartitions(7)
                                .build())
                        .collect()
                        .asList()
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.FAILED_PRECONDITION, elsewhere.getStatus().getCode());
    }

    @Test
    void aLiveAudienceEmitsExactlyOneRecordPerChangeOfMembership() {
        String a = id("a");
        String b = id("b");
        String c = id("c");
        feed.traits(a, "city", "Shanghai", "age", 30);
        feed.traits(b, "city", "Shanghai", "age", 20);
        feed.traits(c, "city", "Beijing", "age", 40);
        // a trait's field is known once a record carrying it is applied (on a fresh feed, not before)
        await().atMost(WAIT)
                .until(() -> engine.catalog(TENANT).type("traits.city").isPresent());
        String sh = id("sh");
        try (KafkaProbe probe = new KafkaProbe(FeedTopics.MEMBERSHIP)) {
            create(sh, "{'field': 'traits.city', 'op': 'eq', 'value': 'Shanghai'}");
            List<SegmentMembership> entered = awaitRecords(probe, sh, 2);
            assertEquals(Set.of(a, b), ids(entered, true));
            await().atMost(WAIT).until(() -> size(sh) == 2);

            feed.traits(b, "city", "Beijing");
            SegmentMembership left = awaitRecords(probe, sh, 1).get(0);
            assertEquals(b, left.getProfileId());
            assertFalse(left.getEntered());
            assertEquals(MembershipCause.MEMBERSHIP_CAUSE_PROFILE_CHANGED, left.getCause());

            feed.again(feed.last()); // a redelivered change: nothing changes
            feed.traits(c, "age", 41); // an input no rule of sh reads
            feed.deleted(a);
            SegmentMembership deleted = awaitRecords(probe, sh, 1).get(0);
            assertEquals(a, deleted.getProfileId());
            assertEquals(MembershipCause.MEMBERSHIP_CAUSE_PROFILE_DELETED, deleted.getCause());
            assertEquals(List.of(), of(probe.drain(Duration.ofSeconds(3)), sh), "no other record");
            assertEquals(0, size(sh));
        }
    }

    @Test
    void anEditIsEvaluatedBesideTheOldVersionAndEmitsOnlyTheDifference() {
        String young = id("young");
        String old = id("old");
        feed.traits(young, "city", "Hangzhou", "age", 22);
        feed.traits(old, "city", "Hangzhou", "age", 61);
        String hz = id("hz");
        try (KafkaProbe probe = new KafkaProbe(FeedTopics.MEMBERSHIP)) {
            create(hz, "{'field': 'traits.city', 'op': 'eq', 'value': 'Hangzhou'}");
            awaitRecords(probe, hz, 2);
            Segment edited = as("mia")
                    .updateSegment(UpdateSegmentRequest.newBuilder()
                            .setTenant(TENANT)
                            .setSegmentId(hz)
                            .setName("Hangzhou, 60 and over")
                            .setDefinition(
                                    "{\"all\": [{\"field\": \"traits.city\", \"op\": \"eq\", \"value\": \"Hangzhou\"},"
                                            + " {\"field\": \"traits.age\", \"op\": \"gte\", \"value\": 60}]}")
                            .setExpectedVersion(1)
                            .build())
                    .await()
                    .atMost(WAIT)
                    .getSegment();
            assertEquals(2, edited.getVersion());
            SegmentMembership left = awaitRecords(probe, hz, 1).get(0);
            assertEquals(young, left.getProfileId());
            assertFalse(left.getEntered());
            assertEquals(MembershipCause.MEMBERSHIP_CAUSE_SEGMENT_CHANGED, left.getCause());
            assertEquals(2, left.getSegmentVersion());
            assertEquals(
                    List.of(), of(probe.drain(Duration.ofSeconds(2)), hz), "the old member stays without a record");
            StatusRuntimeException stale = assertThrows(
                    StatusRuntimeException.class,
                    () -> as("mia")
                            .updateSegment(UpdateSegmentRequest.newBuilder()
                                    .setTenant(TENANT)
                                    .setSegmentId(hz)
                                    .setName("late")
                                    .setDefinition("{\"field\": \"traits.age\", \"op\": \"gte\", \"value\": 1}")
                                    .setExpectedVersion(1)
                                    .build())
                            .await()
                            .atMost(WAIT));
            assertEquals(Status.Code.FAILED_PRECONDITION, stale.getStatus().getCode());
            var versions = as("vic")
                    .listSegmentVersions(ListSegmentVersionsRequest.newBuilder()
                            .setTenant(TENANT)
                            .setSegmentId(hz)
                            .build())
                    .await()
                    .atMost(WAIT);
            assertEquals(
                    List.of(2L, 1L),
                    versions.getVersionsList().stream().map(v -> v.getVersion()).toList());
            Segment renamed = as("mia")
                    .updateSegment(UpdateSegmentRequest.newBuilder()
                            .setTenant(TENANT)
                            .setSegmentId(hz)
                            .setName("Hangzhou seniors")
                            .build())
                    .await()
                    .atMost(WAIT)
                    .getSegment();
            assertEquals("Hangzhou seniors", renamed.getName());
            assertEquals(2, renamed.getVersion(), "a rename makes no version");
        }
    }

    @Test
    void anInvalidDefinitionIsRefusedWithThePlaceOfEveryProblem() {
        feed.traits(id("typed"), "age", 30);
        await().atMost(WAIT)
                .until(() -> engine.catalog(TENANT).type("traits.age").isPresent());
        String id = id("bad");
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class,
                () -> create(
                        id,
                        "{'all': [{'field': 'traits.nope', 'op': 'eq', 'value': 'x'},"
                                + " {'field': 'traits.age', 'op': 'gte', 'value': 'thirty'},"
                                + " {'event': 'Order Completed', 'within_days': 9999},"
                                + " {'segment': 'nowhere'}]}"));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        Set<String> fields =
                Errors.violations(e).stream().map(Errors.Violation::field).collect(Collectors.toSet());
        assertTrue(fields.contains("definition.all[0].field"), fields.toString());
        assertTrue(fields.contains("definition.all[1].value"), fields.toString());
        assertTrue(fields.contains("definition.all[2].within_days"), fields.toString());
        StatusRuntimeException unknown = assertThrows(
                StatusRuntimeException.class,
                () -> create(id, "{'any': [{'field': 'traits.age', 'op': 'exists'}, {'segment': 'nowhere'}]}"));
        assertEquals(
                "definition.any[1].segment", Errors.violations(unknown).get(0).field());
        StatusRuntimeException notJson = assertThrows(StatusRuntimeException.class, () -> create(id, "{'all': ["));
        assertEquals(
                Set.of("definition"),
                Errors.violations(notJson).stream().map(Errors.Violation::field).collect(Collectors.toSet()));
        StatusRuntimeException badId = assertThrows(StatusRuntimeException.class, () -> create("a b", "{'all': []}"));
        assertEquals("segment_id", Errors.violations(badId).get(0).field());
        // nothing was stored
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> size(id));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    }

    @Test
    void aSegmentOfASegmentAndACycleOfThem() {
        String p = id("p");
        feed.traits(p, "city", "Chengdu", "age", 35);
        String cd = id("cd");
        String cdAdults = id("cd-adults");
        create(cd, "{'field': 'traits.city', 'op': 'eq', 'value': 'Chengdu'}");
        create(cdAdults, "{'all': [{'segment': '" + cd + "'}, {'field': 'traits.age', 'op': 'gte', 'value': 18}]}");
        await().atMost(WAIT).until(() -> size(cdAdults) == 1);
        StatusRuntimeException cycle = assertThrows(
                StatusRuntimeException.class,
                () -> as("mia")
                        .updateSegment(UpdateSegmentRequest.newBuilder()
                                .setTenant(TENANT)
                                .setSegmentId(cd)
                                .setName(cd)
                                .setDefinition("{\"segment\": \"" + cdAdults + "\"}")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.INVALID_ARGUMENT, cycle.getStatus().getCode());
        assertTrue(Errors.violations(cycle).get(0).description().contains("cycle"), cycle.getMessage());
        StatusRuntimeException named = assertThrows(
                StatusRuntimeException.class,
                () -> as("mia")
                        .setSegmentState(SetSegmentStateRequest.newBuilder()
                                .setTenant(TENANT)
                                .setSegmentId(cd)
                                .setState(SegmentState.SEGMENT_STATE_ARCHIVED)
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.FAILED_PRECONDITION, named.getStatus().getCode());
        feed.traits(p, "city", "Chongqing");
        await().atMost(WAIT).until(() -> size(cdAdults) == 0);
    }

    /** An id whose records land on the same partition as {@code other}'s (the feed is keyed tenant/profile). */
    private static String samePartition(String prefix, String other) {
        int wanted = partition(other);
        while (true) {
            String candidate = id(prefix);
            if (partition(candidate) == wanted) {
                return candidate;
            }
        }
    }

    private static String otherPartition(String prefix, String other) {
        int avoided = partition(other);
        while (true) {
            String candidate = id(prefix);
            if (partition(candidate) != avoided) {
                return candidate;
            }
        }
    }

    private static int partition(String profileId) {
        byte[] key = (TENANT + "/" + profileId).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % 6;
    }

    @Test
    void eventConditionsAndAMergeMoveTheEvents() {
        String buyer = id("buyer");
        String other = samePartition("other", buyer);
        Instant now = Instant.now();
        feed.traits(buyer, "city", "Wuhan");
        feed.traits(other, "city", "Wuhan");
        feed.event(buyer, "Order Completed", now.minus(Duration.ofDays(3)), "category", "skincare", "revenue", 300);
        feed.event(other, "Order Completed", now.minus(Duration.ofDays(2)), "category", "skincare", "revenue", 250);
        feed.event(other, "Order Completed", now.minus(Duration.ofDays(40)), "category", "skincare", "revenue", 250);
        feed.event(other, "Order Completed", now.minus(Duration.ofDays(1)), "category", "makeup", "revenue", 900);
        String twice = id("twice");
        String wuhan = id("wuhan");
        try (KafkaProbe probe = new KafkaProbe(FeedTopics.MEMBERSHIP)) {
            create(wuhan, "{'field': 'traits.city', 'op': 'eq', 'value': 'Wuhan'}");
            create(
                    twice,
                    "{'event': 'Order Completed', 'times': {'op': 'at_least', 'value': 2}, 'within_days': 30,"
                            + " 'where': [{'property': 'category', 'op': 'eq', 'value': 'skincare'},"
                            + " {'property': 'revenue', 'op': 'gte', 'value': 200}]}");
            awaitRecords(probe, wuhan, 2);
            assertEquals(List.of(), of(probe.drain(Duration.ofSeconds(2)), twice), "one such order each in 30 days");
            // the other profile is merged into the buyer: it leaves, and its events are the buyer's now
            feed.merged(other, buyer);
            List<SegmentMembership> moved = awaitRecords(probe, Set.of(twice, wuhan), 2);
            SegmentMembership entered = moved.stream()
                    .filter(m -> m.getSegmentId().equals(twice))
                    .findFirst()
                    .orElseThrow();
            assertEquals(buyer, entered.getProfileId());
            assertTrue(entered.getEntered());
            SegmentMembership left = moved.stream()
                    .filter(m -> m.getSegmentId().equals(wuhan))
                    .findFirst()
                    .orElseThrow();
            assertEquals(other, left.getProfileId());
            assertFalse(left.getEntered());
            assertEquals(MembershipCause.MEMBERSHIP_CAUSE_PROFILE_MERGED, left.getCause());
        }
    }

    @Test
    void aSurvivorOnAnotherPartitionGetsTheMergedProfilesEventsOnce() {
        String buyer = id("buyer");
        String other = otherPartition("other", buyer);
        String near = samePartition("near", buyer);
        Instant now = Instant.now();
        // a city of this test's own: the tenant holds other tests' buyers with three orders
        String city = id("Hefei");
        feed.traits(buyer, "city", city);
        feed.traits(other, "city", city);
        feed.traits(near, "city", city);
        feed.event(buyer, "Order Completed", now.minus(Duration.ofDays(3)), "revenue", 300);
        var theirs = feed.event(other, "Order Completed", now.minus(Duration.ofDays(2)), "revenue", 250);
        var nearby = feed.event(near, "Order Completed", now.minus(Duration.ofDays(1)), "revenue", 90);
        await().atMost(WAIT).until(() -> eventCount(buyer) == 1 && eventCount(other) == 1 && eventCount(near) == 1);
        String three = id("three");
        try (KafkaProbe probe = new KafkaProbe(FeedTopics.MEMBERSHIP)) {
            create(
                    three,
                    "{'all': [{'field': 'traits.city', 'op': 'eq', 'value': '" + city + "'},"
                            + " {'event': 'Order Completed', 'times': {'op': 'exactly', 'value': 3},"
                            + " 'within_days': 30}]}");
            // merged across partitions: the merge comes on the merged profile's partition, its events
            // again under the survivor's key on the survivor's
            feed.merged(other, buyer);
            feed.moved(theirs, other, buyer);
            await().atMost(WAIT).until(() -> size(three) == 0 && eventCount(buyer) == 2);
            // merged on one partition: the merge moves the events, and the same events announced
            // again (and once more, a redelivery) are the ones it holds
            feed.merged(near, buyer);
            feed.moved(nearby, near, buyer);
            feed.moved(nearby, near, buyer);
            feed.moved(theirs, other, buyer);
            List<SegmentMembership> entered = awaitRecords(probe, three, 1);
            assertEquals(buyer, entered.get(0).getProfileId());
            assertTrue(entered.get(0).getEntered());
            feed.traits(buyer, "name", "later");
            await().atMost(WAIT).until(() -> "later".equals(trait(buyer, "traits.name")));
            assertEquals(3, eventCount(buyer), "each order once");
            assertEquals(List.of(), of(probe.drain(Duration.ofSeconds(1)), three), "no exit");
        }
    }

    @Test
    void theSizeHistoryKeepsTodaysSizeAndRefusesABadRange() {
        String p = id("p");
        String q = id("q");
        feed.traits(p, "city", "Lhasa");
        feed.traits(q, "city", "Lhasa");
        String lh = id("lh");
        create(lh, "{'field': 'traits.city', 'op': 'eq', 'value': 'Lhasa'}");
        await().atMost(WAIT).until(() -> size(lh) == 2);
        // recorded every second in tests (strata.segmentation.size-history-every)
        await().atMost(WAIT).until(() -> {
            List<DailySize> days = history(lh, 7);
            return days.size() == 1 && days.get(0).getSize() == 2;
        });
        // days of the service's zone (UTC by default); a day may turn between the two readings
        String before = LocalDate.now(ZoneId.of("UTC")).toString();
        String day = history(lh, 0).get(0).getDay();
        assertTrue(
                day.equals(before) || day.equals(LocalDate.now(ZoneId.of("UTC")).toString()), day);
        feed.traits(q, "city", "Xining");
        await().atMost(WAIT).until(() -> history(lh, 1).get(0).getSize() == 1);

        for (int days : new int[] {-1, 367}) {
            StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> history(lh, days));
            assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
            assertTrue(
                    bad.getStatus().getDescription().contains("days"),
                    bad.getStatus().getDescription());
        }
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> history(id("none"), 7));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        StatusRuntimeException otherTenant = assertThrows(
                StatusRuntimeException.class,
                () -> as("bob")
                        .getSizeHistory(GetSizeHistoryRequest.newBuilder()
                                .setTenant(TENANT)
                                .setSegmentId(lh)
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, otherTenant.getStatus().getCode());
    }

    private List<DailySize> history(String id, int days) {
        return as("vic")
                .getSizeHistory(GetSizeHistoryRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSegmentId(id)
                        .setDays(days)
                        .build())
                .await()
                .atMost(WAIT)
                .getDaysList();
    }

    @Test
    void rolesAndTenantsDecideWhoReadsAndWhoChanges() {
        String p = id("p");
        feed.traits(p, "city", "Xiamen");
        String xm = id("xm");
        create(xm, "{'field': 'traits.city', 'op': 'eq', 'value': 'Xiamen'}");
        await().atMost(WAIT).until(() -> size(xm) == 1);
        StatusRuntimeException viewer = assertThrows(
                StatusRuntimeException.class,
                () -> as("vic")
                        .createSegment(CreateSegmentRequest.newBuilder()
                                .setTenant(TENANT)
                                .setSegmentId(id("v"))
                                .setName("v")
                                .setDefinition("{\"all\": []}")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, viewer.getStatus().getCode());
        StatusRuntimeException otherTenant = assertThrows(
                StatusRuntimeException.class,
                () -> as("bob")
                        .getSegment(GetSegmentRequest.newBuilder()
                                .setTenant(TENANT)
                                .setSegmentId(xm)
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, otherTenant.getStatus().getCode());
        StatusRuntimeException anonymous = assertThrows(
                StatusRuntimeException.class,
                () -> client.getSegment(GetSegmentRequest.newBuilder()
                                .setTenant(TENANT)
                                .setSegmentId(xm)
                                .build())
                        .await()
                        .atMost(WAIT));
        assertTrue(Set.of(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED)
                .contains(anonymous.getStatus().getCode()));
        // a partner of the tenant asks about one profile with its own token
        SegmentationService partner = GrpcClientUtils.attachHeaders(
                client, KeycloakTokens.bearer(KeycloakTokens.clientToken("strata-partner-demo")));
        assertTrue(partner.checkMembership(CheckMembershipRequest.newBuilder()
                        .setProfileId(p)
                        .setSegmentId(xm)
                        .build())
                .await()
                .atMost(WAIT)
                .getMember());
        assertTrue(partner.listProfileSegments(
                        ListProfileSegmentsRequest.newBuilder().setProfileId(p).build())
                .await()
                .atMost(WAIT)
                .getSegmentIdsList()
                .contains(xm));
        // many at once, answered in order; a wrong pair named, nothing answered
        String stranger = id("stranger");
        assertEquals(
                List.of(true, false, true),
                partner.checkMemberships(CheckMembershipsRequest.newBuilder()
                                .addChecks(MembershipCheck.newBuilder()
                                        .setProfileId(p)
                                        .setSegmentId(xm))
                                .addChecks(MembershipCheck.newBuilder()
                                        .setProfileId(stranger)
                                        .setSegmentId(xm))
                                .addChecks(MembershipCheck.newBuilder()
                                        .setProfileId(p)
                                        .setSegmentId(xm))
                                .build())
                        .await()
                        .atMost(WAIT)
                        .getMembersList());
        StatusRuntimeException blank = assertThrows(
                StatusRuntimeException.class,
                () -> partner.checkMemberships(CheckMembershipsRequest.newBuilder()
                                .addChecks(MembershipCheck.newBuilder()
                                        .setProfileId(p)
                                        .setSegmentId(xm))
                                .addChecks(MembershipCheck.newBuilder().setProfileId(p))
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals("checks[1].segment_id", Errors.violations(blank).get(0).field());
        StatusRuntimeException none = assertThrows(
                StatusRuntimeException.class,
                () -> partner.checkMemberships(
                                CheckMembershipsRequest.newBuilder().build())
                        .await()
                        .atMost(WAIT));
        assertEquals("checks", Errors.violations(none).get(0).field());
        CheckMembershipsRequest.Builder tooMany = CheckMembershipsRequest.newBuilder();
        for (int i = 0; i <= SegmentationGrpcService.MAX_CHECKS; i++) {
            tooMany.addChecks(MembershipCheck.newBuilder().setProfileId(p).setSegmentId(xm));
        }
        StatusRuntimeException many = assertThrows(
                StatusRuntimeException.class,
                () -> partner.checkMemberships(tooMany.build()).await().atMost(WAIT));
        assertEquals("checks", Errors.violations(many).get(0).field());
        StatusRuntimeException unknown = assertThrows(
                StatusRuntimeException.class,
                () -> partner.checkMemberships(CheckMembershipsRequest.newBuilder()
                                .addChecks(MembershipCheck.newBuilder()
                                        .setProfileId(p)
                                        .setSegmentId(id("nowhere")))
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        StatusRuntimeException partnerElsewhere = assertThrows(
                StatusRuntimeException.class,
                () -> partner.checkMembership(CheckMembershipRequest.newBuilder()
                                .setTenant("acme")
                                .setProfileId(p)
                                .setSegmentId(xm)
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, partnerElsewhere.getStatus().getCode());
    }

    @Test
    void explainOverlapPreviewExportAndAStaticAudience() {
        String a = id("a");
        String b = id("b");
        feed.traits(a, "city", "Suzhou", "age", 28);
        feed.traits(b, "city", "Suzhou", "age", 45);
        String sz = id("sz");
        String older = id("older");
        create(sz, "{'field': 'traits.city', 'op': 'eq', 'value': 'Suzhou'}");
        create(older, "{'all': [{'segment': '" + sz + "'}, {'field': 'traits.age', 'op': 'gte', 'value': 40}]}");
        await().atMost(WAIT).until(() -> size(sz) == 2 && size(older) == 1);

        ExplainMembershipResponse why = as("ana")
                .explainMembership(ExplainMembershipRequest.newBuilder()
                        .setTenant(TENANT)
                        .setProfileId(a)
                        .setSegmentId(older)
                        .build())
                .await()
                .atMost(WAIT);
        assertFalse(why.getMember());
        assertEquals("all[1]", why.getConditions(2).getPath());
        assertFalse(why.getConditions(2).getHeld());
        assertEquals("28.0", why.getConditions(2).getActual());
        assertTrue(why.getConditions(1).getHeld(), why.toString());

        GetOverlapResponse overlap = as("vic")
                .getOverlap(GetOverlapRequest.newBuilder()
                        .setTenant(TENANT)
                        .addSegmentIds(sz)
                        .addSegmentIds(older)
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(2, overlap.getSizesOrThrow(sz));
        assertEquals(2, overlap.getRegionsCount(), overlap.toString());

        assertEquals(
                1,
                as("vic")
                        .previewSegment(PreviewSegmentRequest.newBuilder()
                                .setTenant(TENANT)
                                .setDefinition("{\"all\": [{\"segment\": \"" + sz + "\"},"
                                        + " {\"field\": \"traits.age\", \"op\": \"lt\", \"value\": 30}]}")
                                .build())
                        .await()
                        .atMost(WAIT)
                        .getSize());

        List<String> exported = as("vic")
                .exportMembers(ExportMembersRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSegmentId(sz)
                        .build())
                .collect()
                .asList()
                .await()
                .atMost(WAIT)
                .stream()
                .flatMap(r -> ((ExportMembersResponse) r).getProfileIdsList().stream())
                .toList();
        assertEquals(Set.of(a, b), Set.copyOf(exported));

        String vip = id("vip");
        as("mia")
                .createSegment(CreateSegmentRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSegmentId(vip)
                        .setName("VIP list")
                        .setKind(SegmentKind.SEGMENT_KIND_STATIC)
                        .build())
                .await()
                .atMost(WAIT);
        var set = as("mia")
                .setStaticMembers(SetStaticMembersRequest.newBuilder()
                        .setTenant(TENANT)
                        .setSegmentId(vip)
                        .setMode(StaticMode.STATIC_MODE_REPLACE)
                        .addProfileIds(a)
                        .addProfileIds("nobody-" + FeedTopics.RUN)
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(1, set.getSize());
        assertEquals(1, set.getUnknown());
        assertTrue(as("vic")
                .checkMembership(CheckMembershipRequest.newBuilder()
                        .setTenant(TENANT)
                        .setProfileId(a)
                        .setSegmentId(vip)
                        .build())
                .await()
                .atMost(WAIT)
                .getMember());
    }

    @Test
    void aPartitionStoredBeyondTheEndOfItsFeedLoadsAnewRatherThanWaitForever() {
        String a = id("a");
        feed.traits(a, "city", "Harbin");
        String hb = id("hb");
        create(hb, "{'field': 'traits.city', 'op': 'eq', 'value': 'Harbin'}");
        await().atMost(WAIT).until(() -> size(hb) == 1);
        String c = id("c"); // enters and leaves: read anew, both changes come in one write
        while (partition(c) != partition(a)) {
            c = id("c");
        }
        feed.traits(c, "city", "Harbin");
        feed.traits(c, "city", "Dalian");
        FakeProfileService.RESENDS.clear();
        // as if the feed's topics had been made anew: what was stored lies beyond their end
        FeedTopics.sql("update feed_offsets set next_offset = next_offset + 1000000 where partition = " + partition(a));
        loop.reload().join();
        // the members are those of the feed as it is, and so are those stored
        await().atMost(WAIT).until(() -> engine.livePartitions() == 6 && engine.complete() && size(hb) == 1);
        // profile-service is asked, with this service's own token, for the tenants' profiles whole
        await().atMost(WAIT).until(() -> FakeProfileService.RESENDS.contains(TENANT));
        assertEquals(Set.of(a), exported(hb));
        assertEquals(
                Set.of(a),
                FeedTopics.strings("select profile_id from segment_members where segment_id = '" + hb + "'"));
        feed.traits(a, "city", "Dalian");
        await().atMost(WAIT).until(() -> size(hb) == 0);
    }

    @Test
    void aReloadRestoresTheAudiencesFromWhatWasStoredWithoutARecord() {
        String a = id("a");
        feed.traits(a, "city", "Nanjing");
        String nj = id("nj");
        String notNj = id("not-nj");
        create(nj, "{'field': 'traits.city', 'op': 'eq', 'value': 'Nanjing'}");
        create(notNj, "{'not': {'segment': '" + nj + "'}}");
        await().atMost(WAIT).until(() -> size(nj) == 1);
        Set<String> others = exported(notNj);
        try (KafkaProbe probe = new KafkaProbe(FeedTopics.MEMBERSHIP)) {
            loop.reload().join();
            await().atMost(WAIT).until(() -> engine.livePartitions() == 6 && engine.complete());
            assertEquals(1, size(nj));
            assertEquals(others, exported(notNj));
            assertEquals(
                    List.of(),
                    probe.drain(Duration.ofSeconds(3)).stream()
                            .map(SegmentationServiceTest::membership)
                            .toList(),
                    "a reload announces nothing");
            feed.traits(a, "city", "Shanghai");
            List<SegmentMembership> moved = awaitRecords(probe, Set.of(nj, notNj), 2);
            assertEquals(
                    Set.of(nj + "/false", notNj + "/true"),
                    moved.stream()
                            .map(m -> m.getSegmentId() + "/" + m.getEntered())
                            .collect(Collectors.toSet()));
        }
    }

    @Test
    void aReloadReadsTheSnapshotThenOnlyTheFeedAfterItAndOneNotStoredWholeIsPassedOver() {
        String a = id("a");
        feed.traits(a, "city", "Turpan");
        String wh = id("wh");
        create(wh, "{'field': 'traits.city', 'op': 'eq', 'value': 'Turpan'}");
        String ks = id("ks");
        create(ks, "{'field': 'traits.city', 'op': 'eq', 'value': 'Kashgar'}");
        for (int i = 0; i < 40; i++) {
            feed.traits(id("f"), "city", "Kashgar"); // records the snapshot holds
        }
        await().atMost(WAIT).until(() -> size(wh) == 1 && size(ks) == 40);
        loop.snapshot().join();
        String b = id("b");
        feed.traits(b, "city", "Turpan"); // after the snapshot: read from the feed on loading
        await().atMost(WAIT).until(() -> size(wh) == 2);
        Set<String> members = exported(wh);
        try (KafkaProbe probe = new KafkaProbe(FeedTopics.MEMBERSHIP)) {
            double before = replayed();
            loop.reload().join();
            await().atMost(WAIT).until(() -> engine.livePartitions() == 6 && engine.complete());
            double fromSnapshots = replayed() - before;
            assertEquals(members, exported(wh));
            assertTrue(fromSnapshots >= 1 && fromSnapshots <= 3, "records read again: " + fromSnapshots);

            // a snapshot not stored whole is passed over: the feed is read from its beginning
            FeedTopics.sql("update partition_snapshots set checksum = checksum + 1");
            double unreadable = registry.counter("strata_segmentation_snapshots_total", "outcome", "unreadable")
                    .count();
            before = replayed();
            loop.reload().join();
            await().atMost(WAIT).until(() -> engine.livePartitions() == 6 && engine.complete());
            assertEquals(members, exported(wh));
            assertTrue(replayed() - before >= 42, "records read again without snapshots: " + (replayed() - before));
            assertEquals(
                    unreadable + 6,
                    registry.counter("strata_segmentation_snapshots_total", "outcome", "unreadable")
                            .count());
            assertEquals(
                    List.of(),
                    probe.drain(Duration.ofSeconds(3)).stream()
                            .map(SegmentationServiceTest::membership)
                            .toList(),
                    "a reload announces nothing");

            // the tables read from the snapshot evaluate as the feed goes on
            feed.traits(a, "city", "Hami");
            List<SegmentMembership> left = awaitRecords(probe, wh, 1);
            assertEquals(
                    a + "/false", left.get(0).getProfileId() + "/" + left.get(0).getEntered());
        }
    }

    @Test
    void aSnapshotIsNotStoredBeyondTheOffsetsStoredWithTheMembers() {
        String a = id("a");
        feed.traits(a, "city", "Yining");
        String yn = id("yn");
        create(yn, "{'field': 'traits.city', 'op': 'eq', 'value': 'Yining'}");
        await().atMost(WAIT).until(() -> size(yn) == 1);
        int p = partition(a);
        loop.snapshot().join();
        String before = "select taken_at::text from partition_snapshots where partition = " + p;
        Set<String> taken = FeedTopics.strings(before);
        Set<String> offsets =
                FeedTopics.strings("select topic || '=' || next_offset from feed_offsets where partition = " + p);
        // as if the partition had been forgotten meanwhile (its feed made anew)
        FeedTopics.sql("delete from feed_offsets where partition = " + p);
        try {
            loop.snapshot().join();
            assertEquals(taken, FeedTopics.strings(before), "the snapshot before stays, none is stored beyond");
        } finally {
            for (String offset : offsets) {
                String[] parts = offset.split("=");
                FeedTopics.sql("insert into feed_offsets (topic, partition, next_offset) values ('" + parts[0] + "', "
                        + p + ", " + parts[1] + ") on conflict do nothing");
            }
        }
    }

    private double replayed() {
        return registry.counter("strata_segmentation_load_replayed_records_total")
                .count();
    }
}
