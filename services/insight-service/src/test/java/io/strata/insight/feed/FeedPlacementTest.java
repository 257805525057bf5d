package io.strata.insight.feed;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Struct;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.insight.config.InsightConfig;
import io.strata.insight.store.EventStore;
import io.strata.platform.kafka.DeadLetterProducer;
import io.strata.platform.kafka.Keys;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.segmentation.v1.SegmentMembership;
import io.strata.testing.LocalStack;
import io.strata.testing.TestTopics;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the feed loop starts reading: from the store's own positions on all three topics, not the
 * group's; and from the beginning of a topic made anew. Each test has topics, a group and stores
 * of its own, and runs loops of its own (no application).
 */
class FeedPlacementTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 2;
    private static final String TENANT = "acme";

    @TempDir
    Path dir;

    private final String prefix = "test.insight-placement." + UUID.randomUUID() + ".";
    private final String events = prefix + "profile-events";
    private final String changes = prefix + "profile-changes";
    private final String memberships = prefix + "segment-membership";
    private final String group = prefix + "group";
    private Admin admin;
    private KafkaProducer<String, byte[]> producer;
    private DeadLetterProducer deadLetters;

    @BeforeEach
    void connect() throws Exception {
        LocalStack.requireKafka();
        TestTopics.ensure();
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        admin = Admin.create(props);
        createTopics();
        Properties producing = new Properties();
        producing.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        producing.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(producing, new StringSerializer(), new ByteArraySerializer());
        deadLetters =
                new DeadLetterProducer(LocalStack.kafkaBootstrapServers(), TestTopics.DEAD_LETTERS, "insight-service");
    }

    @AfterEach
    void close() throws Exception {
        producer.close();
        deadLetters.close();
        try {
            admin.deleteTopics(List.of(events, changes, memberships)).all().get();
        } finally {
            admin.close();
        }
    }

    @Test
    void aNewStoreReadsAgainWhatTheGroupHadCommitted() throws Exception {
        sendEvents("p", 0, 10);
        sendMembership("p0", "vip", true);
        sendMembership("p1", "vip", true);
        sendMembership("p0", "vip", false);
        sendDeleted("p2");
        try (EventStore first = EventStore.open(dir.resolve("first"))) {
            runUntil(first, () -> members(first, "vip") == 1 && events(first) == 9);
        }
        // a replica with an empty volume joins the same group, whose offsets are at each topic's end
        try (EventStore second = EventStore.open(dir.resolve("second"))) {
            runUntil(second, () -> members(second, "vip") == 1 && events(second) == 9);
            assertEquals(List.of("p1"), memberIds(second, "vip"), "the memberships read again, in order");
            assertEquals(0, eventsOf(second, "p2"), "the deletion read again");
        }
    }

    @Test
    void aTopicMadeAnewIsReadFromItsBeginning() throws Exception {
        sendEvents("old", 0, 20);
        for (int i = 0; i < 6; i++) {
            sendMembership("old" + i, "vip", true);
        }
        Path store = dir.resolve("store");
        try (EventStore kept = EventStore.open(store)) {
            runUntil(kept, () -> events(kept) == 20 && members(kept, "vip") == 6);
        }

        // the cluster is rebuilt (the databases kept): the topics come back empty, and fewer records
        // than before reach them
        admin.deleteTopics(List.of(events, changes, memberships)).all().get();
        await().atMost(WAIT).until(() -> {
            try {
                return !admin.listTopics().names().get().contains(events);
            } catch (ExecutionException e) {
                return false;
            }
        });
        createTopics();
        sendEvents("new", 0, 4);
        sendMembership("new0", "vip", true);

        try (EventStore kept = EventStore.open(store)) {
            runUntil(kept, () -> events(kept) == 24 && members(kept, "vip") == 1);
            assertEquals(1, eventsOf(kept, "old0"), "the old topic's events stay: nobody sends them again");
            assertEquals(1, eventsOf(kept, "new0"), "the new topic's are read from its beginning");
            assertEquals(
                    List.of("new0"),
                    memberIds(kept, "vip"),
                    "the old topic's members are forgotten: segmentation announces its audiences again");
        }
    }

    /** Runs a feed loop on {@code store} until {@code done} holds (within the deadline), then stops it. */
    private void runUntil(EventStore store, java.util.concurrent.Callable<Boolean> done) {
        FeedLoop loop = new FeedLoop(
                config(), store, deadLetters, LocalStack.kafkaBootstrapServers(), new SimpleMeterRegistry());
        loop.start(new StartupEvent());
        try {
            // the loop moves files while the test counts (compaction, a topic made anew)
            await().atMost(WAIT)
                    .ignoreExceptionsMatching(EventStore::filesMoved)
                    .until(done);
        } finally {
            loop.stop(new ShutdownEvent());
        }
    }

    private InsightConfig config() {
        InsightConfig.Feed feed = new InsightConfig.Feed() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public String profileEventsTopic() {
                return events;
            }

            @Override
            public String profileChangesTopic() {
                return changes;
            }

            @Override
            public String membershipTopic() {
                return memberships;
            }

            @Override
            public String group() {
                return group;
            }

            @Override
            public Duration flushEvery() {
                return Duration.ofMillis(200);
            }

            @Override
            public int flushEvents() {
                return 100_000;
            }

            @Override
            public int repeatWindow() {
                return 1000;
            }

            @Override
            public Duration compactEvery() {
                return Duration.ofMinutes(10);
            }

            @Override
            public int compactFiles() {
                return 16;
            }

            @Override
            public Duration sessionTimeout() {
                return Duration.ofSeconds(45);
            }
        };
        return new InsightConfig() {
            @Override
            public Store store() {
                return new Store() {
                    @Override
                    public Path dir() {
                        return dir;
                    }

                    @Override
                    public Optional<String> memoryLimit() {
                        return Optional.empty();
                    }
                };
            }

            @Override
            public String deadLetterTopic() {
                return TestTopics.DEAD_LETTERS;
            }

            @Override
            public Feed feed() {
                return feed;
            }

            @Override
            public Tgi tgi() {
                return () -> Duration.ofSeconds(30);
            }

            @Override
            public Set<String> userCallers() {
                return Set.of("strata-gateway");
            }

            @Override
            public Replicas replicas() {
                throw new UnsupportedOperationException("the feed loop does not ask");
            }
        };
    }

    private void createTopics() throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (String topic : List.of(events, changes, memberships)) {
            topics.add(new NewTopic(topic, PARTITIONS, (short) 1));
        }
        // a topic just deleted may still be on its way out: created again once it is gone
        await().atMost(WAIT)
                .ignoreException(UnknownTopicOrPartitionException.class)
                .until(() -> {
                    try {
                        admin.createTopics(topics).all().get();
                        return true;
                    } catch (ExecutionException e) {
                        return false;
                    }
                });
    }

    private void sendEvents(String profilePrefix, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            String profile = profilePrefix + i;
            ProfileEvent event = FeedRecords.track(
                    TENANT, profile, profile + "-m", "Product Viewed", Struct.getDefaultInstance(), Instant.now());
            producer.send(new ProducerRecord<>(events, Keys.profile(TENANT, profile), event.toByteArray()))
                    .get();
        }
    }

    private void sendMembership(String profile, String segment, boolean entered) throws Exception {
        SegmentMembership membership = FeedRecords.membership(TENANT, profile, segment, entered);
        producer.send(new ProducerRecord<>(memberships, Keys.profile(TENANT, profile), membership.toByteArray()))
                .get();
    }

    private void sendDeleted(String profile) throws Exception {
        ProfileChange change = FeedRecords.deleted(TENANT, profile);
        producer.send(new ProducerRecord<>(changes, Keys.profile(TENANT, profile), change.toByteArray()))
                .get();
    }

    private static long events(EventStore store) throws Exception {
        return count(store, "SELECT count(*) FROM events WHERE tenant = ?", TENANT);
    }

    private static long eventsOf(EventStore store, String profile) throws Exception {
        return count(store, "SELECT count(*) FROM events WHERE tenant = ? AND profile_id = ?", TENANT, profile);
    }

    private static long members(EventStore store, String segment) throws Exception {
        return count(
                store, "SELECT count(*) FROM audience_members WHERE tenant = ? AND segment_id = ?", TENANT, segment);
    }

    private static List<String> memberIds(EventStore store, String segment) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = store.openQuery();
                PreparedStatement s = c.prepareStatement("SELECT profile_id FROM audience_members"
                        + " WHERE tenant = ? AND segment_id = ? ORDER BY profile_id")) {
            s.setString(1, TENANT);
            s.setString(2, segment);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getString(1));
                }
            }
        }
        return ids;
    }

    private static long count(EventStore store, String sql, String... args) throws Exception {
        try (Connection c = store.openQuery();
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
