package io.strata.profile.messaging;

import static io.strata.profile.support.TestEvents.base;
import static io.strata.profile.support.TestEvents.identify;
import static io.strata.profile.support.TestEvents.tenant;
import static io.strata.profile.support.TestEvents.track;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityRules;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileView;
import io.strata.profile.identity.IdentityRuleStore;
import io.strata.profile.identity.MergeHistory;
import io.strata.profile.service.ProfileQueryService;
import io.strata.profile.service.Unmerger;
import io.strata.profile.support.FeedCopy;
import io.strata.profile.support.TestEvents;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.testing.KafkaGroups;
import io.strata.testing.KafkaProbe;
import io.strata.testing.TestTopics;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Identity rules per tenant, merge history and unmerge, through the real topics and database, each
 * test in a tenant of its own: a merge a limit forbids does not happen and is recorded; a blocked
 * value identifies nobody; an alias joins two user ids; an unmerge gives both sides back the
 * aggregates of their own events, and a copy kept from the feed follows it.
 */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class IdentityRulesTest {

    private static final Duration WAIT = Duration.ofSeconds(45);
    private static TestEvents events;

    @Inject
    ProfileQueryService profiles;

    @Inject
    IdentityRuleStore rules;

    @Inject
    MergeHistory history;

    @Inject
    Unmerger unmerger;

    @Inject
    Pool pool;

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

    private void setRules(String tenant, String json) throws Exception {
        IdentityRules parsed = IdentityRules.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json));
        assertNotNull(
                rules.save(tenant, parsed, -1, "test", Instant.now()).await().atMost(WAIT));
    }

    private static Event withDevice(Event event, String device) {
        return event.toBuilder()
                .setContext(Struct.newBuilder()
                        .putFields(
                                "device",
                                Value.newBuilder()
                                        .setStructValue(Struct.newBuilder()
                                                .putFields(
                                                        "id",
                                                        Value.newBuilder()
                                                                .setStringValue(device)
                                                                .build()))
                                        .build()))
                .build();
    }

    private ProfileView profile(String tenant, IdentityType type, String value, Predicate<ProfileView> ready) {
        return await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> profiles.byIdentity(tenant, type, value).await().atMost(WAIT),
                        p -> p != null && ready.test(p));
    }

    private ProfileView byId(String tenant, UUID id) {
        return profiles.byId(tenant, id).await().atMost(WAIT);
    }

    @Test
    void aMergeALimitForbidsDoesNotHappenAndIsRecorded() throws Exception {
        String tenant = tenant();
        setRules(tenant, "{\"limits\": {\"DEVICE_ID\": 2}}");
        // the user has two devices; an anonymous visitor a third
        events.sendAll(List.of(
                withDevice(track(tenant, "u1", null, "Visited"), "dev-1"),
                withDevice(track(tenant, "u1", null, "Visited"), "dev-2"),
                withDevice(track(tenant, null, "visitor", "Visited"), "dev-3")));
        ProfileView user =
                profile(tenant, IdentityType.USER_ID, "u1", p -> p.counts().getOrDefault("Visited", 0L) == 2);
        ProfileView visitor = profile(tenant, IdentityType.ANONYMOUS_ID, "visitor", p -> true);

        // the user signs in on the third device: its profile would hold three devices
        events.send(withDevice(track(tenant, "u1", null, "Signed In"), "dev-3"));
        ProfileView after =
                profile(tenant, IdentityType.USER_ID, "u1", p -> p.counts().containsKey("Signed In"));
        assertEquals(user.id(), after.id());
        assertEquals(
                2,
                after.identities().stream()
                        .filter(i -> i.type() == IdentityType.DEVICE_ID)
                        .count(),
                "the third device stays with the visitor");
        assertEquals(visitor.id(), byId(tenant, visitor.id()).id(), "the visitor's profile still exists, not merged");
        MergeHistory.History h = history.of(tenant, user.id()).await().atMost(WAIT);
        assertTrue(h.merges().isEmpty());
        assertEquals(1, h.refusals().size());
        MergeHistory.Refusal refusal = h.refusals().get(0);
        assertEquals(new IdentityKey(IdentityType.DEVICE_ID, "dev-3"), refusal.identity());
        assertEquals(visitor.id(), refusal.other());
        assertEquals("would hold 3 DEVICE_ID identifiers; the limit is 2", refusal.reason());

        // a fourth device, new: not attached, recorded
        events.send(withDevice(track(tenant, "u1", null, "Marker"), "dev-4"));
        ProfileView last =
                profile(tenant, IdentityType.USER_ID, "u1", p -> p.counts().containsKey("Marker"));
        assertFalse(last.identities().contains(new IdentityKey(IdentityType.DEVICE_ID, "dev-4")));
        assertNull(profiles.byIdentity(tenant, IdentityType.DEVICE_ID, "dev-4")
                .await()
                .atMost(WAIT));
        assertEquals(
                2, history.of(tenant, user.id()).await().atMost(WAIT).refusals().size());
    }

    @Test
    void aBlockedValueIdentifiesNobody() throws Exception {
        String tenant = tenant();
        setRules(tenant, "{\"blocked\": [{\"type\": \"DEVICE_ID\", \"value\": \"kiosk-1\"}]}");
        // two shoppers on one shop kiosk: without the block the device would make them one profile
        events.sendAll(List.of(
                withDevice(track(tenant, null, "shopper-a", "Visited"), "kiosk-1"),
                withDevice(track(tenant, null, "shopper-b", "Visited"), "kiosk-1"),
                withDevice(track(tenant, null, "shopper-b", "Marker"), "kiosk-1")));
        ProfileView a = profile(tenant, IdentityType.ANONYMOUS_ID, "shopper-a", p -> true);
        ProfileView b = profile(
                tenant, IdentityType.ANONYMOUS_ID, "shopper-b", p -> p.counts().containsKey("Marker"));
        assertFalse(a.id().equals(b.id()), "the kiosk did not join them");
        assertNull(profiles.byIdentity(tenant, IdentityType.DEVICE_ID, "kiosk-1")
                .await()
                .atMost(WAIT));
    }

    @Test
    void anAliasJoinsTwoUserIds() throws Exception {
        String tenant = tenant();
        events.sendAll(
                List.of(track(tenant, "old-account", null, "Visited"), track(tenant, "new-account", null, "Visited")));
        ProfileView old = profile(tenant, IdentityType.USER_ID, "old-account", p -> true);
        profile(tenant, IdentityType.USER_ID, "new-account", p -> true);
        events.send(TestEvents.alias(tenant, "new-account", "old-account"));
        ProfileView joined = profile(
                tenant, IdentityType.USER_ID, "new-account", p -> p.counts().containsKey("alias"));
        assertEquals(2, joined.counts().get("Visited"), "both accounts' visits");
        assertEquals(
                joined.id(),
                profiles.byIdentity(tenant, IdentityType.USER_ID, "old-account")
                        .await()
                        .atMost(WAIT)
                        .id());
        assertEquals(
                Set.of(old.id()),
                Set.copyOf(history.of(tenant, joined.id()).await().atMost(WAIT).merges().stream()
                        .map(MergeHistory.Merge::merged)
                        .toList()));
    }

    @Test
    void anUnmergeGivesBothSidesTheAggregatesOfTheirOwnEvents() throws Exception {
        String tenant = tenant();
        try (KafkaProbe changes = new KafkaProbe(TestTopics.PROFILE_CHANGES)) {
            // a visitor browses and buys anonymously; a member buys; then one sign-in joins them (wrongly)
            Event shanghai = identify(tenant, "member", null, Map.of("city", "上海"));
            events.sendAll(List.of(
                    track(tenant, null, "visitor", "Product Viewed"),
                    track(tenant, null, "visitor", "Product Viewed"),
                    order(tenant, null, "visitor", 30),
                    shanghai,
                    order(tenant, "member", null, 100)));
            ProfileView visitor =
                    profile(tenant, IdentityType.ANONYMOUS_ID, "visitor", p -> p.behaviour().orders != null);
            ProfileView member = profile(tenant, IdentityType.USER_ID, "member", p -> p.behaviour().orders != null);
            // the sign-in in the same second as the first identify: of the two, the one applied last wins
            events.send(identify(tenant, "member", "visitor", Map.of("city", "杭州")).toBuilder()
                    .setTimestamp(shanghai.getTimestamp())
                    .build());
            ProfileView joined = profile(tenant, IdentityType.USER_ID, "member", p -> p.behaviour().orders.n == 2);
            assertEquals(member.id(), joined.id());
            // after the merge, the visitor's anonymous id alone brings another visit
            events.send(track(tenant, null, "visitor", "Visited"));
            joined = profile(
                    tenant, IdentityType.USER_ID, "member", p -> p.counts().containsKey("Visited"));

            var merged = profiles.summarize(tenant, 10).await().atMost(WAIT).topEvents().stream()
                    .filter(t -> t.name().equals("Order Completed"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(2, merged.events());
            assertEquals(1, merged.profiles(), "both orders on one profile once merged");

            // only an existing merge can be undone
            StatusRuntimeException none = assertThrows(
                    StatusRuntimeException.class,
                    () -> unmerger.unmerge(tenant, visitor.id(), member.id(), "test")
                            .await()
                            .atMost(WAIT));
            assertEquals(Status.Code.NOT_FOUND, none.getStatus().getCode());

            // the log's seq comes in cached blocks per connection, so a later batch may hold lower
            // numbers than an earlier one: renumber the member's rows newest first to make it so here
            pool.withConnection(conn -> conn.preparedQuery(
                                    "select seq from profile_event_log where tenant = $1 and profile_id = $2 order by seq desc")
                            .execute(Tuple.of(tenant, member.id()))
                            .onItem()
                            .transformToMulti(rows -> Multi.createFrom().iterable(rows))
                            .onItem()
                            .transformToUniAndConcatenate(row -> conn.preparedQuery(
                                            "update profile_event_log set seq = default where tenant = $1 and seq = $2")
                                    .execute(Tuple.of(tenant, row.getLong(0))))
                            .collect()
                            .last())
                    .await()
                    .atMost(WAIT);

            Unmerger.Outcome outcome = unmerger.unmerge(tenant, member.id(), visitor.id(), "admin-1")
                    .await()
                    .atMost(WAIT);
            assertEquals(4, outcome.eventsMoved(), "two views, an order, the later visit");

            ProfileView kept = byId(tenant, member.id());
            ProfileView restored = byId(tenant, visitor.id());
            assertEquals(1, kept.behaviour().orders.n);
            assertEquals(0, new java.math.BigDecimal("100").compareTo(kept.behaviour().orders.revenue));
            assertEquals(Map.of("identify", 2L, "Order Completed", 1L), kept.counts());
            assertTrue(kept.traitsJson().contains("杭州"), "the sign-in stays with the member, and its traits");
            assertEquals(1, restored.behaviour().orders.n);
            assertEquals(0, new java.math.BigDecimal("30").compareTo(restored.behaviour().orders.revenue));
            assertEquals(Map.of("Product Viewed", 2L, "Order Completed", 1L, "Visited", 1L), restored.counts());
            assertEquals(List.of(new IdentityKey(IdentityType.ANONYMOUS_ID, "visitor")), restored.identities());
            assertEquals(
                    restored.id(),
                    profiles.byIdentity(tenant, IdentityType.ANONYMOUS_ID, "visitor")
                            .await()
                            .atMost(WAIT)
                            .id());
            assertEquals(2.0, (double) kept.behaviour().events.get("identify").n);
            // the tenant's totals per event name: events, and profiles having the name
            Map<String, List<Long>> totals = new java.util.TreeMap<>();
            profiles.summarize(tenant, 10)
                    .await()
                    .atMost(WAIT)
                    .topEvents()
                    .forEach(t -> totals.put(t.name(), List.of(t.events(), t.profiles())));
            assertEquals(
                    Map.of(
                            "Order Completed", List.of(2L, 2L),
                            "Product Viewed", List.of(2L, 1L),
                            "Visited", List.of(1L, 1L),
                            "identify", List.of(2L, 1L)),
                    totals,
                    "the totals follow the split");

            MergeHistory.Merge merge = history.of(tenant, member.id())
                    .await()
                    .atMost(WAIT)
                    .merges()
                    .get(0);
            assertEquals(visitor.id(), merge.merged());
            assertNotNull(merge.unmergedAt());
            assertEquals("admin-1", merge.unmergedBy());
            StatusRuntimeException twice = assertThrows(
                    StatusRuntimeException.class,
                    () -> unmerger.unmerge(tenant, member.id(), visitor.id(), "test")
                            .await()
                            .atMost(WAIT));
            assertEquals(Status.Code.NOT_FOUND, twice.getStatus().getCode(), "a merge is undone once");

            // a copy kept from the feed alone has both sides as they now are
            FeedCopy copy = new FeedCopy();
            ChangeFeedTest.awaitChanges(changes, tenant, copy, kept);
            ChangeFeedTest.awaitChanges(changes, tenant, copy, restored);
            ChangeFeedTest.assertCopyEquals(copy, kept);
            ChangeFeedTest.assertCopyEquals(copy, restored);

            // the restored profile lives on: its identifier's next event is its own
            events.send(track(tenant, null, "visitor", "Marker"));
            ProfileView later = profile(
                    tenant,
                    IdentityType.ANONYMOUS_ID,
                    "visitor",
                    p -> p.counts().containsKey("Marker"));
            assertEquals(restored.id(), later.id());
        }
    }

    private static Event order(String tenant, String user, String anonymous, double revenue) {
        return base(tenant, user, anonymous)
                .setType(EventType.EVENT_TYPE_TRACK)
                .setEvent("Order Completed")
                .setProperties(Struct.newBuilder()
                        .putFields(
                                "revenue",
                                Value.newBuilder().setNumberValue(revenue).build()))
                .build();
    }
}
