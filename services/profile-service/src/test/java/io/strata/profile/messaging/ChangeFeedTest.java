package io.strata.profile.messaging;

import static io.strata.profile.support.TestEvents.base;
import static io.strata.profile.support.TestEvents.identify;
import static io.strata.profile.support.TestEvents.tenant;
import static io.strata.profile.support.TestEvents.track;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileView;
import io.strata.profile.mapping.ProfileMapper;
import io.strata.profile.service.ProfileQueryService;
import io.strata.profile.support.FeedCopy;
import io.strata.profile.support.TestEvents;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.EventStats;
import io.strata.proto.profile.v1.FacetStats;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.testing.KafkaGroups;
import io.strata.testing.KafkaProbe;
import io.strata.testing.TestTopics;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The change feed through the real (test) topics: what was committed is announced, once per
 * identity, in order of versions; a consumer keeps an exact copy from it alone; out-of-order events
 * give the in-order result; a replay announces nothing; a rolled-back write announces nothing; a
 * relay round that fails after sending sends the same records again.
 */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class ChangeFeedTest {

    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final Instant DAY = Instant.parse("2026-10-01T02:00:00Z");
    private static TestEvents events;

    @Inject
    ProfileQueryService profiles;

    @Inject
    Pool pool;

    @Inject
    io.strata.profile.service.TagJobs jobs;

    @BeforeAll
    static void connect() {
        events = new TestEvents();
        String group = ConfigProvider.getConfig().getValue("mp.messaging.incoming.events.group.id", String.class);
        KafkaGroups.awaitAssigned(group, TestTopics.EVENTS, Duration.ofSeconds(60));
    }

    @AfterAll
    static void close() {
        events.close();
    }

    /** A customer's history: browsing, an identify, two orders, content. Times in order. */
    private static List<Event> history(String tenant, String user) {
        return List.of(
                at(track(tenant, null, user + "-anon", "Product Viewed"), 0),
                at(identify(tenant, user, user + "-anon", Map.of("name", "Li Wei", "city", "北京")), 1),
                at(order(tenant, user, "199.00", "skincare", "P1"), 2),
                at(content(tenant, user, "xiaohongshu", "skincare-tips", "kol-1"), 3),
                at(identify(tenant, user, null, Map.of("city", "上海", "email", user + "@example.com")), 4),
                at(order(tenant, user, "88.50", "masks", "P2"), 40));
    }

    /** The whole history is in (its events come on two keys, so two partitions, in any order). */
    private static final Predicate<ProfileView> COMPLETE = p -> p.counts().getOrDefault("Content Viewed", 0L) == 1
            && p.counts().getOrDefault("Order Completed", 0L) == 2
            && p.counts().getOrDefault("identify", 0L) == 2
            && p.counts().getOrDefault("Product Viewed", 0L) == 1;

    @Test
    void everyCommittedEventAndChangeIsAnnouncedAndACopyFromTheFeedEqualsTheProfile() throws Exception {
        String tenant = tenant();
        try (KafkaProbe changes = new KafkaProbe(TestTopics.PROFILE_CHANGES);
                KafkaProbe applied = new KafkaProbe(TestTopics.PROFILE_EVENTS)) {
            List<Event> sent = history(tenant, "u1");
            events.sendAll(sent);
            ProfileView view = awaitProfile(tenant, "u1", COMPLETE);

            // a merge (the anonymous profile's, when the user's events came first) announces its
            // events again: those are not counted here
            var announced = applied.await(r -> r.key().startsWith(tenant + "/") && !moved(r), sent.size(), WAIT);
            assertEquals(sent.size(), announced.size());
            Set<String> ids = new HashSet<>();
            for (var record : announced) {
                ProfileEvent event = ProfileEvent.parseFrom(record.value());
                assertEquals(tenant + "/" + event.getProfileId(), record.key());
                ids.add(event.getEvent().getMessageId());
            }
            assertEquals(messageIds(sent), ids, "each applied event once, with its profile");

            FeedCopy copy = new FeedCopy();
            List<ConsumerRecord<String, byte[]>> records = awaitChanges(changes, tenant, copy, view);
            long previous = 0;
            for (var record : records) {
                ProfileChange change = ProfileChange.parseFrom(record.value());
                if (change.getProfileId().equals(view.id().toString())) {
                    assertTrue(change.getVersion() > previous, "versions grow in the order of the records");
                    previous = change.getVersion();
                    assertEquals(change.getProfileId() + "/" + change.getVersion(), change.getChangeId());
                }
            }
            assertCopyEquals(copy, view);
        }
    }

    @Test
    void aResendGivesAConsumerStartingLateAnExactCopy() throws Exception {
        String tenant = tenant();
        events.sendAll(history(tenant, "u1"));
        ProfileView view = awaitProfile(tenant, "u1", COMPLETE);
        try (KafkaProbe changes = new KafkaProbe(TestTopics.PROFILE_CHANGES)) {
            var job = jobs.resend(tenant, "test").await().atMost(WAIT);
            // a consumer that saw none of the earlier records: the resent ones alone
            FeedCopy copy = new FeedCopy();
            String id = view.id().toString();
            Instant deadline = Instant.now().plus(WAIT);
            while (Instant.now().isBefore(deadline) && !copy.profiles.containsKey(id)) {
                for (var record : changes.await(r -> r.key().startsWith(tenant + "/"), 1, Duration.ofMillis(500))) {
                    ProfileChange change = ProfileChange.parseFrom(record.value());
                    if (change.getChangeCase() == ProfileChange.ChangeCase.SNAPSHOT) {
                        assertEquals(view.version(), change.getVersion(), "the profile at its version");
                        copy.apply(change);
                    }
                }
            }
            assertCopyEquals(copy, view);
            await().atMost(WAIT)
                    .until(() -> jobs.get(tenant, job.id()).await().atMost(WAIT), j -> "done".equals(j.status()));
            assertEquals(1, jobs.get(tenant, job.id()).await().atMost(WAIT).profiles());
        }
    }

    @Test
    void eventsArrivingOutOfOrderGiveTheResultOfTheirTimeOrder() throws Exception {
        String inOrder = tenant();
        String reversed = tenant();
        events.sendAll(history(inOrder, "u1"));
        List<Event> late = new ArrayList<>();
        for (Event event : history(reversed, "u1")) {
            late.add(0, event);
        }
        events.sendAll(late);
        Profile a = comparable(awaitProfile(inOrder, "u1", COMPLETE));
        Profile b = comparable(awaitProfile(reversed, "u1", COMPLETE));
        assertEquals("上海", a.getTraits().getFieldsOrThrow("city").getStringValue(), "the later identify's city");
        assertEquals(a, b);
    }

    @Test
    void replayingEventsAlreadyAppliedChangesAndAnnouncesNothing() throws Exception {
        String tenant = tenant();
        List<Event> sent = history(tenant, "u1");
        events.sendAll(sent);
        ProfileView before = awaitProfile(tenant, "u1", COMPLETE);
        awaitOutboxSent(tenant);
        try (KafkaProbe changes = new KafkaProbe(TestTopics.PROFILE_CHANGES);
                KafkaProbe applied = new KafkaProbe(TestTopics.PROFILE_EVENTS)) {
            events.sendAll(sent);
            // the marker follows the replay on the same partition (same key), so once it is in, the replay was read
            events.send(at(track(tenant, "u1", null, "Marker"), 50));
            ProfileView after = awaitProfile(tenant, "u1", p -> p.counts().containsKey("Marker"));
            var announced = applied.await(r -> r.key().startsWith(tenant + "/"), 1, WAIT);
            assertEquals(1, announced.size());
            assertEquals(
                    "Marker",
                    ProfileEvent.parseFrom(announced.get(0).value()).getEvent().getEvent());
            assertEquals(before.version() + 1, after.version(), "one write: the marker's");
            Map<String, Long> expected = new TreeMap<>(before.counts());
            expected.put("Marker", 1L);
            assertEquals(expected, new TreeMap<>(after.counts()));
            var changed = changes.await(r -> r.key().startsWith(tenant + "/"), 2, Duration.ofSeconds(3));
            assertEquals(1, changed.size(), "one change: the marker's");
        }
    }

    @Test
    void aMergeIsAnnouncedUnderTheMergedProfileAndTheSurvivorCarriesEverything() throws Exception {
        String tenant = tenant();
        try (KafkaProbe changes = new KafkaProbe(TestTopics.PROFILE_CHANGES);
                KafkaProbe applied = new KafkaProbe(TestTopics.PROFILE_EVENTS)) {
            Event viewed = at(track(tenant, null, "phone", "Product Viewed"), 0);
            events.send(viewed);
            events.send(at(order(tenant, "u1", "10", "masks", "P9"), 1));
            ProfileView anonymous = awaitProfile(tenant, IdentityType.ANONYMOUS_ID, "phone", p -> true);
            awaitProfile(tenant, "u1", p -> true);
            events.send(at(identify(tenant, "u1", "phone", Map.of("name", "Wang")), 2));
            ProfileView merged = awaitProfile(tenant, "u1", p -> p.counts().containsKey("identify"));
            assertTrue(!merged.id().equals(anonymous.id()));

            FeedCopy copy = new FeedCopy();
            List<ConsumerRecord<String, byte[]>> records = awaitChanges(changes, tenant, copy, merged);
            ProfileChange closing = records.stream()
                    .map(ChangeFeedTest::change)
                    .filter(ProfileChange::hasMerged)
                    .findFirst()
                    .orElseThrow();
            assertEquals(anonymous.id().toString(), closing.getProfileId());
            assertEquals(merged.id().toString(), closing.getMerged().getIntoProfileId());
            assertEquals(Set.of(merged.id().toString()), copy.profiles.keySet(), "the merged profile left the copy");
            assertCopyEquals(copy, merged);

            // the merged profile's history follows under the survivor's key, for a consumer serving
            // the survivor on another partition: the same event, its first commit time kept
            var both = applied.await(
                    r -> r.key().equals(tenant + "/" + anonymous.id())
                            || r.key().startsWith(tenant + "/") && moved(r),
                    2,
                    WAIT);
            var first = both.stream().filter(r -> !moved(r)).toList();
            var again = both.stream().filter(ChangeFeedTest::moved).toList();
            assertEquals(1, first.size());
            assertEquals(1, again.size(), "one event of the merged profile, announced once more");
            ProfileEvent original = ProfileEvent.parseFrom(first.get(0).value());
            ProfileEvent moved = ProfileEvent.parseFrom(again.get(0).value());
            assertEquals(tenant + "/" + merged.id(), again.get(0).key());
            assertEquals(merged.id().toString(), moved.getProfileId());
            assertEquals(anonymous.id().toString(), moved.getMergedFromProfileId());
            assertEquals(viewed.getMessageId(), moved.getEvent().getMessageId());
            assertEquals(original.getEvent(), moved.getEvent());
            // (to the microsecond the event log keeps)
            assertEquals(
                    original.getAppliedAt().getSeconds(), moved.getAppliedAt().getSeconds());
            assertEquals(
                    original.getAppliedAt().getNanos() / 1000,
                    moved.getAppliedAt().getNanos() / 1000);
            // everything of the tenant was sent: what else is on the topic comes within a poll or two
            awaitOutboxSent(tenant);
            assertTrue(
                    applied.await(r -> r.key().startsWith(tenant + "/") && moved(r), 1, Duration.ofSeconds(2))
                            .isEmpty(),
                    "the survivor's own events are not announced again");
        }
    }

    /** A record announcing again an event of a merged profile. */
    private static boolean moved(ConsumerRecord<String, byte[]> record) {
        try {
            return !ProfileEvent.parseFrom(record.value())
                    .getMergedFromProfileId()
                    .isEmpty();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aWriteThatRolledBackIsNotAnnounced() throws Exception {
        String sequence = sequence();
        String tenant = failingTenant("feed-rollback", sequence, "insert", 1);
        try (KafkaProbe applied = new KafkaProbe(TestTopics.PROFILE_EVENTS)) {
            List<Event> sent = history(tenant, "u1");
            events.sendAll(sent);
            events.send(at(track(tenant, "u1", null, "Marker"), 50));
            awaitProfile(tenant, "u1", COMPLETE.and(p -> p.counts().containsKey("Marker")));
            awaitOutboxSent(tenant);
            var announced =
                    applied.await(r -> r.key().startsWith(tenant + "/"), sent.size() + 2, Duration.ofSeconds(5));
            List<String> ids = new ArrayList<>();
            for (var record : announced) {
                ids.add(ProfileEvent.parseFrom(record.value()).getEvent().getMessageId());
            }
            assertEquals(sent.size() + 1, ids.size(), "each event once, though the first write of them rolled back");
            assertEquals(sent.size() + 1, new HashSet<>(ids).size());
            long attempts = pool.query("select last_value from " + sequence)
                    .execute()
                    .await()
                    .indefinitely()
                    .iterator()
                    .next()
                    .getLong(0);
            assertTrue(attempts >= 2, "the first write was refused, so it was written again");
        }
    }

    @Test
    void recordsSentByARoundThatFailedAreSentAgainWithTheSameIdentityAndNothingIsLost() throws Exception {
        String tenant = failingTenant("feed-resend", sequence(), "delete", 2);
        try (KafkaProbe changes = new KafkaProbe(TestTopics.PROFILE_CHANGES)) {
            events.send(at(track(tenant, "u1", null, "Signed Up"), 0));
            ProfileView profile = awaitProfile(tenant, "u1", p -> true);
            // the round that sends the change fails twice after sending it: three copies
            var copies = changes.await(r -> r.key().startsWith(tenant + "/"), 3, WAIT);
            assertEquals(3, copies.size());
            for (var copy : copies) {
                assertArrayEquals(copies.get(0).value(), copy.value(), "a resent record is the same record");
            }
            assertEquals(
                    profile.id().toString() + "/" + profile.version(),
                    change(copies.get(0)).getChangeId());
            awaitOutboxSent(tenant);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A sequence of its own, counting a trigger's calls (sequences ignore rollbacks). */
    private String sequence() {
        String sequence =
                "feed_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pool.query("create sequence " + sequence).execute().await().indefinitely();
        return sequence;
    }

    /**
     * A tenant {@code <prefix>-<sequence>-tenant} whose first {@code failures} outbox rows fail on
     * {@code operation} (insert: the applying transaction rolls back; delete: the relay's round does,
     * after it sent the records), through a trigger that counts with the tenant's sequence.
     */
    private String failingTenant(String prefix, String sequence, String operation, int failures) {
        String row = operation.equals("insert") ? "new" : "old";
        String name = "test_" + prefix.replace('-', '_');
        pool.query("""
                create or replace function %1$s() returns trigger language plpgsql as $$
                begin
                    if nextval(split_part(%2$s.tenant, '-', 3)::regclass) <= %3$d then
                        raise exception 'the test fails this %4$s of %%', %2$s.tenant using errcode = 'P0001';
                    end if;
                    return %2$s;
                end $$""".formatted(name, row, failures, operation))
                .execute()
                .await()
                .indefinitely();
        pool.query("""
                do $$ begin
                    if not exists (select from pg_trigger where tgname = '%1$s') then
                        create trigger %1$s before %2$s on profile_outbox
                            for each row when (%3$s.tenant like '%4$s-%%')
                            execute function %1$s();
                    end if;
                end $$""".formatted(name, operation, row, prefix))
                .execute()
                .await()
                .indefinitely();
        return prefix + "-" + sequence + "-tenant";
    }

    /** The relay sent everything of the tenant the outbox held. */
    private void awaitOutboxSent(String tenant) {
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> pool.preparedQuery("select count(*) from profile_outbox where tenant = $1")
                                .execute(io.vertx.mutiny.sqlclient.Tuple.of(tenant))
                                .await()
                                .indefinitely()
                                .iterator()
                                .next()
                                .getLong(0)
                        == 0);
    }

    /** Reads the tenant's changes into the copy until it holds the profile at its version. */
    static List<ConsumerRecord<String, byte[]>> awaitChanges(
            KafkaProbe probe, String tenant, FeedCopy copy, ProfileView view) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        String id = view.id().toString();
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)
                && (!copy.profiles.containsKey(id) || copy.profiles.get(id).version < view.version())) {
            for (var record : probe.await(r -> r.key().startsWith(tenant + "/"), 1, Duration.ofMillis(500))) {
                records.add(record);
                copy.apply(record);
            }
        }
        assertEquals(view.version(), copy.profiles.get(id).version, "the copy reached the profile's version");
        return records;
    }

    /** The copy holds what the profile holds: traits, identifiers, behaviour. */
    static void assertCopyEquals(FeedCopy feed, ProfileView view) {
        Profile profile = ProfileMapper.toProto(view);
        FeedCopy.Copy copy = feed.profiles.get(view.id().toString());
        assertEquals(new TreeMap<>(profile.getTraits().getFieldsMap()), copy.traits);
        assertEquals(new HashSet<>(profile.getIdentitiesList()), new HashSet<>(copy.identities));
        Map<String, EventStats> events = new TreeMap<>();
        profile.getBehaviour()
                .getEventsMap()
                .forEach((name, stats) -> events.put(
                        name,
                        stats.toBuilder()
                                .clearLast7Days()
                                .clearLast30Days()
                                .clearLast90Days()
                                .clearLast365Days()
                                .build()));
        assertEquals(events, copy.events);
        assertEquals(profile.getBehaviour().getOrders(), copy.orders);
        Map<String, FacetStats> facets = new HashMap<>();
        profile.getBehaviour().getFacetsList().forEach(f -> facets.put(f.getDimension() + "=" + f.getValue(), f));
        assertEquals(facets, copy.facets);
        assertEquals(new TreeMap<>(profile.getTagsMap()), copy.tags);
        Map<String, io.strata.proto.profile.v1.Consent> consents = new TreeMap<>();
        profile.getConsentsList()
                .forEach(c -> consents.put(c.getChannel() + "|" + c.getPurpose() + "|" + c.getSender(), c));
        assertEquals(consents, copy.consents);
    }

    /** The profile without what differs between two tenants' copies of it (ids, tenant, times of writing). */
    private static Profile comparable(ProfileView view) {
        Profile profile = ProfileMapper.toProto(view);
        Map<String, io.strata.proto.profile.v1.TagValue> tags = new TreeMap<>();
        profile.getTagsMap()
                .forEach((key, value) ->
                        tags.put(key, value.toBuilder().clearSetAt().build()));
        return profile.toBuilder()
                .clearTags()
                .putAllTags(tags)
                .clearId()
                .clearTenant()
                .clearIdentities()
                .clearCreatedAt()
                .clearUpdatedAt()
                .clearVersion()
                .build();
    }

    private static ProfileChange change(ConsumerRecord<String, byte[]> record) {
        try {
            return ProfileChange.parseFrom(record.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> messageIds(List<Event> events) {
        Set<String> ids = new HashSet<>();
        events.forEach(e -> ids.add(e.getMessageId()));
        return ids;
    }

    private static Event at(Event event, int days) {
        Instant at = DAY.plusSeconds(days * 86_400L);
        return event.toBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                .build();
    }

    private static Event order(String tenant, String user, String revenue, String category, String product) {
        Struct line = Struct.newBuilder()
                .putFields(
                        "product_id", Value.newBuilder().setStringValue(product).build())
                .putFields(
                        "category", Value.newBuilder().setStringValue(category).build())
                .build();
        return base(tenant, user, null)
                .setType(EventType.EVENT_TYPE_TRACK)
                .setEvent("Order Completed")
                .setProperties(Struct.newBuilder()
                        .putFields(
                                "revenue",
                                Value.newBuilder()
                                        .setNumberValue(Double.parseDouble(revenue))
                                        .build())
                        .putFields(
                                "channel",
                                Value.newBuilder().setStringValue("tmall").build())
                        .putFields(
                                "products",
                                Value.newBuilder()
                                        .setListValue(ListValue.newBuilder()
                                                .addValues(Value.newBuilder().setStructValue(line)))
                                        .build()))
                .build();
    }

    private static Event content(String tenant, String user, String channel, String topic, String creator) {
        return base(tenant, user, null)
                .setType(EventType.EVENT_TYPE_TRACK)
                .setEvent("Content Viewed")
                .setProperties(Struct.newBuilder()
                        .putFields(
                                "channel",
                                Value.newBuilder().setStringValue(channel).build())
                        .putFields(
                                "topic",
                                Value.newBuilder().setStringValue(topic).build())
                        .putFields(
                                "creator",
                                Value.newBuilder().setStringValue(creator).build()))
                .build();
    }

    private ProfileView awaitProfile(String tenant, String userId, Predicate<ProfileView> ready) {
        return awaitProfile(tenant, IdentityType.USER_ID, userId, ready);
    }

    private ProfileView awaitProfile(String tenant, IdentityType type, String value, Predicate<ProfileView> ready) {
        return await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> profiles.byIdentity(tenant, type, value).await().atMost(WAIT),
                        p -> p != null && ready.test(p));
    }
}
