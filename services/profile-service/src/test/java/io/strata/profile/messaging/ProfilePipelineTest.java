package io.strata.profile.messaging;

import static io.strata.profile.support.TestEvents.alias;
import static io.strata.profile.support.TestEvents.identify;
import static io.strata.profile.support.TestEvents.tenant;
import static io.strata.profile.support.TestEvents.track;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.platform.kafka.DeadLetters;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileSummary;
import io.strata.profile.domain.ProfileView;
import io.strata.profile.service.ProfileQueryService;
import io.strata.profile.support.TestEvents;
import io.strata.proto.events.v1.Event;
import io.strata.testing.KafkaGroups;
import io.strata.testing.KafkaProbe;
import io.strata.testing.RecordedSpans;
import io.strata.testing.TestTopics;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Events through the real (test) topic into PostgreSQL, read back from the service. Each test has its own tenant. */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class ProfilePipelineTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static TestEvents events;

    @Inject
    ProfileQueryService profiles;

    @Inject
    RecordedSpans spans;

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

    @Test
    void eventsOfOnePersonBuildOneProfile() throws Exception {
        String tenant = tenant();
        events.send(track(tenant, null, "a1", "Product Viewed"));
        events.send(track(tenant, null, "a1", "Product Viewed"));
        events.send(identify(tenant, "u1", "a1", Map.of("email", "Li.Wei@QQ.com", "name", "Li Wei")));
        events.send(track(tenant, "u1", null, "Order Completed"));

        ProfileView profile =
                awaitProfile(tenant, IdentityType.USER_ID, "u1", p -> p.counts().size() == 3);
        assertEquals(Map.of("Product Viewed", 2L, "identify", 1L, "Order Completed", 1L), profile.counts());
        assertTrue(profile.traitsJson().contains("\"Li Wei\""), profile.traitsJson());
        assertTrue(profile.identities().contains(new IdentityKey(IdentityType.ANONYMOUS_ID, "a1")));
        assertTrue(profile.identities().contains(new IdentityKey(IdentityType.EMAIL, "li.wei@qq.com")));
        assertEquals(
                profile.id(),
                lookup(tenant, IdentityType.EMAIL, " LI.WEI@qq.com").id(),
                "lookups normalise the identifier as events' identifiers are");
        assertTrue(profile.firstSeen() != null && profile.lastSeen() != null);
    }

    @Test
    void anEventIsAppliedInASpanOfTheTraceItCameWith() throws Exception {
        String tenant = tenant();
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String parentId = traceId.substring(0, 16);
        Event event = track(tenant, "u-traced", null, "Product Viewed");
        events.sendTraced(TestEvents.key(event), event.toByteArray(), "00-" + traceId + "-" + parentId + "-01");
        events.sendTraced(tenant + "/broken", new byte[] {0x0a, 0x7f}, "00-" + traceId + "-" + parentId + "-01");

        SpanData applied = spans.await(
                s -> s.getTraceId().equals(traceId)
                        && tenant.equals(s.getAttributes().get(AttributeKey.stringKey("strata.tenant"))),
                WAIT);
        assertEquals(parentId, applied.getParentSpanId(), "a child of the span that forwarded the event");
        assertEquals(SpanKind.CONSUMER, applied.getKind());
        assertEquals(TestTopics.EVENTS + " process", applied.getName());
        assertEquals(StatusCode.UNSET, applied.getStatus().getStatusCode());
        assertEquals(
                1L,
                lookup(tenant, IdentityType.USER_ID, "u-traced").counts().get("Product Viewed"),
                "the span ends once the event's transaction committed");
        SpanData refused = spans.await(
                s -> s.getTraceId().equals(traceId) && s.getStatus().getStatusCode() == StatusCode.ERROR, WAIT);
        assertEquals(parentId, refused.getParentSpanId());
        assertTrue(refused.getStatus().getDescription().contains("dead-lettered"));
    }

    @Test
    void aRedeliveredEventIsAppliedOnce() throws Exception {
        String tenant = tenant();
        Event event = track(tenant, "u1", null, "Coupon Claimed");
        events.send(event);
        events.send(event);
        events.send(event);
        events.send(track(tenant, "u1", null, "Marker"));
        ProfileView profile =
                awaitProfile(tenant, IdentityType.USER_ID, "u1", p -> p.counts().containsKey("Marker"));
        assertEquals(1L, profile.counts().get("Coupon Claimed"));
    }

    @Test
    void signingInMergesTheAnonymousProfiles() throws Exception {
        String tenant = tenant();
        events.send(track(tenant, null, "phone-app", "Product Viewed"));
        events.send(track(tenant, null, "mini-program", "Product Added"));
        ProfileView miniProgram = awaitProfile(tenant, IdentityType.ANONYMOUS_ID, "mini-program", p -> true);
        awaitProfile(tenant, IdentityType.ANONYMOUS_ID, "phone-app", p -> true);

        events.send(identify(tenant, "u1", "phone-app", Map.of()));
        events.send(identify(tenant, "u1", "mini-program", Map.of()));

        ProfileView merged =
                awaitProfile(tenant, IdentityType.USER_ID, "u1", p -> p.counts().getOrDefault("identify", 0L) == 2);
        assertEquals(Map.of("Product Viewed", 1L, "Product Added", 1L, "identify", 2L), merged.counts());
        assertEquals(
                merged.id(),
                lookup(tenant, IdentityType.ANONYMOUS_ID, "mini-program").id());
        assertEquals(
                merged.id(),
                profiles.byId(tenant, miniProgram.id()).await().atMost(WAIT).id(),
                "a merged-away id finds the surviving profile");

        events.send(track(tenant, null, "visitor", "Product Viewed"));
        ProfileSummary summary = await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> profiles.summarize(tenant, 10).await().atMost(WAIT), s -> s.profiles() == 2);
        assertEquals(1, summary.knownProfiles(), "u1 signed in; the visitor did not");
        assertEquals(1, summary.merges(), "two anonymous profiles became one");
        assertEquals(Map.of("USER_ID", 1L, "ANONYMOUS_ID", 3L), summary.identitiesByType());
        assertEquals(5, summary.events());
        assertEquals("Product Viewed", summary.topEvents().get(0).name());
        assertEquals(2, summary.topEvents().get(0).events());
        assertEquals(2, summary.topEvents().get(0).profiles());
        assertEquals(0, profiles.summarize(tenant(), 10).await().atMost(WAIT).profiles(), "another tenant has none");
    }

    @Test
    void aliasGivesTheVisitorsHistoryToTheUser() throws Exception {
        String tenant = tenant();
        events.send(track(tenant, null, "visitor-1", "Product Viewed"));
        events.send(track(tenant, "u-alias", null, "Signed Up"));
        ProfileView visitor = awaitProfile(tenant, IdentityType.ANONYMOUS_ID, "visitor-1", p -> true);
        ProfileView user = awaitProfile(tenant, IdentityType.USER_ID, "u-alias", p -> true);
        assertTrue(!visitor.id().equals(user.id()), "two profiles before the alias");

        events.send(alias(tenant, "u-alias", "visitor-1"));
        ProfileView aliased = awaitProfile(
                tenant, IdentityType.USER_ID, "u-alias", p -> p.counts().containsKey("alias"));
        assertEquals(Map.of("Product Viewed", 1L, "Signed Up", 1L, "alias", 1L), aliased.counts());
        assertEquals(
                aliased.id(),
                lookup(tenant, IdentityType.ANONYMOUS_ID, "visitor-1").id());
    }

    @Test
    void profilesAreInvisibleToOtherTenants() throws Exception {
        String tenant = tenant();
        events.send(track(tenant, "u1", null, "Visited"));
        ProfileView profile = awaitProfile(tenant, IdentityType.USER_ID, "u1", p -> true);
        String other = tenant();
        assertNull(lookup(other, IdentityType.USER_ID, "u1"));
        assertNull(profiles.byId(other, profile.id()).await().atMost(WAIT));
    }

    @Test
    void aRecordThatIsNoEventGoesToTheDeadLetterTopic() throws Exception {
        String key = "garbage/" + UUID.randomUUID();
        try (KafkaProbe dlq = new KafkaProbe(TestTopics.DEAD_LETTERS)) {
            events.sendRaw(key, "not a protobuf event".getBytes(StandardCharsets.UTF_8));
            var records = dlq.await(r -> key.equals(r.key()), 1, WAIT);
            assertEquals(1, records.size());
            assertTrue(DeadLetters.header(records.get(0).headers(), DeadLetters.REASON)
                            .length()
                    > 0);
            assertEquals("profile-service", DeadLetters.header(records.get(0).headers(), DeadLetters.SERVICE));
            assertTrue(DeadLetters.header(records.get(0).headers(), DeadLetters.ORIGIN)
                    .startsWith(TestTopics.EVENTS + "-"));
        }
    }

    @Test
    void anEventTheDatabaseRefusesGoesToTheDeadLetterTopicWithoutHoldingUpTheOthers() throws Exception {
        String tenant = tenant();
        Event poison = identify(tenant, "u-poison", null, Map.of("nickname", "a\u0000b"));
        try (KafkaProbe dlq = new KafkaProbe(TestTopics.DEAD_LETTERS)) {
            events.send(track(tenant, "u-ok", null, "Before"));
            events.send(poison);
            events.send(track(tenant, "u-ok", null, "After"));
            ProfileView ok = awaitProfile(
                    tenant, IdentityType.USER_ID, "u-ok", p -> p.counts().containsKey("After"));
            assertEquals(Map.of("Before", 1L, "After", 1L), ok.counts());
            var dead = dlq.await(r -> r.key().equals(tenant + "/u-poison"), 1, WAIT);
            assertEquals(1, dead.size());
            assertEquals(poison, Event.parseFrom(dead.get(0).value()), "the event is kept as it was");
        }
        assertNull(lookup(tenant, IdentityType.USER_ID, "u-poison"));
    }

    private ProfileView awaitProfile(String tenant, IdentityType type, String value, Predicate<ProfileView> ready) {
        return await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> lookup(tenant, type, value), p -> p != null && ready.test(p));
    }

    private ProfileView lookup(String tenant, IdentityType type, String value) {
        return profiles.byIdentity(tenant, type, value).await().atMost(WAIT);
    }
}
