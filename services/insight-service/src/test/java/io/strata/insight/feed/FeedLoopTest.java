package io.strata.insight.feed;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.insight.store.EventStore;
import io.strata.platform.kafka.Keys;
import io.strata.proto.profile.v1.EventRef;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.profile.v1.ProfileMerged;
import io.strata.proto.profile.v1.ProfileUnmerged;
import io.strata.proto.segmentation.v1.SegmentMembership;
import io.strata.testing.LocalStack;
import io.strata.testing.TestTopics;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

/** The profile feed through the real (test) topics into the store. Each test has its own tenant. */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class FeedLoopTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 6;
    private static KafkaProducer<String, byte[]> producer;

    @Inject
    EventStore store;

    @BeforeAll
    static void connect() {
        LocalStack.requireKafkaAndPostgres();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    @Test
    void eventsAreStoredOnceWithTheirRevenueAndABrokenRecordIsSkipped() throws Exception {
        String tenant = "test-" + UUID.randomUUID();
        ProfileEvent order = event(tenant, "p1", "m1", "Order Completed", 128.5);
        send(TestTopics.PROFILE_EVENTS, order);
        send(TestTopics.PROFILE_EVENTS, order); // delivered again by an outbox relay: another record
        producer.send(new ProducerRecord<>(TestTopics.PROFILE_EVENTS, tenant + "/p1", new byte[] {0x0a, 0x7f}))
                .get();
        send(TestTopics.PROFILE_EVENTS, event(tenant, "p1", "m2", "Product Viewed", null));

        await().atMost(WAIT)
                .until(() -> count(tenant, "SELECT count(*) FROM events WHERE tenant = ? AND message_id = 'm2'") == 1);
        assertEquals(2L, count(tenant, "SELECT count(*) FROM events WHERE tenant = ?"), "each event once");
        assertEquals(
                128L,
                count(tenant, "SELECT sum(revenue)::BIGINT FROM events WHERE tenant = ?"),
                "the order's revenue once, the record delivered again left out");
    }

    @Test
    void mergesAndDeletionsShapeWhoseEventsTheyAre() throws Exception {
        String tenant = "test-" + UUID.randomUUID();
        String survivor = "user-1";
        String local = profileOn(tenant, partitionOf(tenant, survivor), "anon-same");
        String remote = profileOn(tenant, (partitionOf(tenant, survivor) + 1) % PARTITIONS, "anon-other");
        send(TestTopics.PROFILE_EVENTS, event(tenant, survivor, "m1", "Order Completed", 50.0));
        send(TestTopics.PROFILE_EVENTS, event(tenant, local, "m2", "Product Viewed", null));
        send(TestTopics.PROFILE_EVENTS, event(tenant, remote, "m3", "Product Added", null));
        await().atMost(WAIT).until(() -> count(tenant, "SELECT count(*) FROM events WHERE tenant = ?") == 3);

        // both merge into user-1: the local one's events become user-1's where they are; the remote
        // one's leave its partition and come again on user-1's, announced under user-1's key
        sendChange(merged(tenant, local, survivor));
        sendChange(merged(tenant, remote, survivor));
        send(TestTopics.PROFILE_EVENTS, moved(event(tenant, survivor, "m2", "Product Viewed", null), local));
        send(TestTopics.PROFILE_EVENTS, moved(event(tenant, survivor, "m3", "Product Added", null), remote));

        await().atMost(WAIT)
                .until(() ->
                        count(tenant, "SELECT count(*) FROM events WHERE tenant = ? AND profile_id = 'user-1'") == 3);
        assertEquals(3, count(tenant, "SELECT count(*) FROM events WHERE tenant = ?"), "each event once");

        sendChange(FeedRecords.deleted(tenant, survivor));
        await().atMost(WAIT).until(() -> count(tenant, "SELECT count(*) FROM events WHERE tenant = ?") == 0);
    }

    @Test
    void anUnmergeGivesTheRestoredProfileItsEventsOnce() throws Exception {
        String tenant = "test-" + UUID.randomUUID();
        String survivor = "user-2";
        String restored = profileOn(tenant, (partitionOf(tenant, survivor) + 1) % PARTITIONS, "anon-back");
        send(TestTopics.PROFILE_EVENTS, event(tenant, restored, "m1", "Order Completed", 40.0));
        send(TestTopics.PROFILE_EVENTS, event(tenant, survivor, "m2", "Product Viewed", null));
        sendChange(merged(tenant, restored, survivor));
        send(TestTopics.PROFILE_EVENTS, moved(event(tenant, survivor, "m1", "Order Completed", 40.0), restored));
        send(TestTopics.PROFILE_EVENTS, event(tenant, survivor, "m3", "Product Added", null));
        await().atMost(WAIT)
                .until(() ->
                        count(tenant, "SELECT count(*) FROM events WHERE tenant = ? AND profile_id = 'user-2'") == 3);

        sendChange(unmerged(tenant, restored, survivor, true, "m1", "m3"));
        sendChange(unmerged(tenant, survivor, restored, false, "m1", "m3"));
        await().atMost(WAIT)
                .until(() ->
                        count(tenant, "SELECT count(*) FROM events WHERE tenant = ? AND profile_id = 'user-2'") == 1);
        await().atMost(WAIT)
                .until(() ->
                        count(tenant, "SELECT count(*) FROM events WHERE tenant = ? AND profile_id <> 'user-2'") == 2);
        assertEquals(3L, count(tenant, "SELECT count(*) FROM events WHERE tenant = ?"), "each event once");
        assertEquals(40L, count(tenant, "SELECT sum(revenue)::BIGINT FROM events WHERE tenant = ?"));
    }

    @Test
    void audienceMembershipsFollowTheirEntersAndExits() throws Exception {
        String tenant = "test-" + UUID.randomUUID();
        sendMembership(FeedRecords.membership(tenant, "p1", "vip", true));
        sendMembership(FeedRecords.membership(tenant, "p2", "vip", true));
        sendMembership(FeedRecords.membership(tenant, "p1", "vip", false));
        sendMembership(FeedRecords.membership(tenant, "p3", "core", true));
        producer.send(new ProducerRecord<>(TestTopics.SEGMENT_MEMBERSHIP, tenant + "/p9", new byte[] {0x1a, 0x01}))
                .get();
        // a last record on each key: once all three are in, every record before them is (a key's
        // records keep their order; different keys may arrive in any order)
        for (String p : List.of("p1", "p2", "p3")) {
            sendMembership(FeedRecords.membership(tenant, p, "barrier", true));
        }
        await().atMost(WAIT)
                .until(() -> count(
                                tenant,
                                "SELECT count(*) FROM audience_members WHERE tenant = ? AND segment_id = 'barrier'")
                        == 3);
        assertEquals(
                2L,
                count(tenant, "SELECT count(*) FROM audience_members WHERE tenant = ? AND segment_id <> 'barrier'"));
        assertEquals(
                1L,
                count(
                        tenant,
                        "SELECT count(*) FROM audience_members WHERE tenant = ? AND segment_id = 'vip'"
                                + " AND profile_id = 'p2'"));
        assertEquals(
                1L,
                count(
                        tenant,
                        "SELECT count(*) FROM audience_members WHERE tenant = ? AND segment_id = 'core'"
                                + " AND profile_id = 'p3'"));
    }

    private long count(String tenant, String sql) throws Exception {
        try (Connection c = store.openQuery();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static int partitionOf(String tenant, String profile) {
        return Keys.partition(Keys.profile(tenant, profile), PARTITIONS);
    }

    /** A profile id starting with {@code prefix} whose key lands on {@code partition}. */
    private static String profileOn(String tenant, int partition, String prefix) {
        for (int i = 0; ; i++) {
            String id = prefix + "-" + i;
            if (partitionOf(tenant, id) == partition) {
                return id;
            }
        }
    }

    private static void send(String topic, ProfileEvent event) throws Exception {
        producer.send(new ProducerRecord<>(
                        topic, Keys.profile(event.getTenant(), event.getProfileId()), event.toByteArray()))
                .get();
    }

    private static void sendChange(ProfileChange change) throws Exception {
        producer.send(new ProducerRecord<>(
                        TestTopics.PROFILE_CHANGES,
                        Keys.profile(change.getTenant(), change.getProfileId()),
                        change.toByteArray()))
                .get();
    }

    private static ProfileEvent event(String tenant, String profile, String messageId, String name, Double revenue) {
        Struct.Builder properties = Struct.newBuilder();
        if (revenue != null) {
            properties.putFields(
                    "revenue", Value.newBuilder().setNumberValue(revenue).build());
        }
        return FeedRecords.track(tenant, profile, messageId, name, properties.build(), Instant.now());
    }

    private static void sendMembership(SegmentMembership membership) throws Exception {
        producer.send(new ProducerRecord<>(
                        TestTopics.SEGMENT_MEMBERSHIP,
                        Keys.profile(membership.getTenant(), membership.getProfileId()),
                        membership.toByteArray()))
                .get();
    }

    private static ProfileEvent moved(ProfileEvent event, String from) {
        return event.toBuilder().setMergedFromProfileId(from).build();
    }

    private static ProfileChange merged(String tenant, String profile, String into) {
        return ProfileChange.newBuilder()
                .setTenant(tenant)
                .setProfileId(profile)
                .setChangeId(profile + "/2")
                .setVersion(2)
                .setMerged(ProfileMerged.newBuilder().setIntoProfileId(into))
                .build();
    }

    private static ProfileChange unmerged(
            String tenant, String profile, String other, boolean restored, String... messageIds) {
        ProfileUnmerged.Builder unmerged =
                ProfileUnmerged.newBuilder().setRestored(restored).setOtherProfileId(other);
        for (String id : messageIds) {
            unmerged.addMovedEvents(EventRef.newBuilder().setSourceId("src").setMessageId(id));
        }
        return ProfileChange.newBuilder()
                .setTenant(tenant)
                .setProfileId(profile)
                .setChangeId(profile + "/5")
                .setVersion(5)
                .setUnmerged(unmerged)
                .build();
    }
}
