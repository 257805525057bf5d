package io.strata.profile.messaging;

import static io.strata.profile.support.TestEvents.identify;
import static io.strata.profile.support.TestEvents.tenant;
import static io.strata.profile.support.TestEvents.track;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileSummary;
import io.strata.profile.domain.ProfileView;
import io.strata.profile.service.ProfileQueryService;
import io.strata.profile.support.TestEvents;
import io.strata.proto.events.v1.Event;
import io.strata.testing.KafkaGroups;
import io.strata.testing.TestTopics;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Two consumers of one group (the test profile runs the channel with concurrency 2) apply batches
 * at the same time that share identifiers: every person's devices are on other partitions, and
 * each device's first event carries the person's email. Whatever the interleaving, the graph must
 * be the one a single consumer applying the events one after the other builds: one profile per
 * person, holding all of its identifiers and all of its events.
 */
@QuarkusTest
class IdentityRaceTest {

    private static final int PEOPLE = 120;
    private static final int DEVICES = 3;
    private static final int VIEWS = 2;

    @Inject
    ProfileQueryService profiles;

    @Inject
    MeterRegistry registry;

    @Inject
    Pool pool;

    @Test
    void twoConsumersRacingOnSharedIdentifiersBuildWhatOneConsumerBuilds() throws Exception {
        String group = ConfigProvider.getConfig().getValue("mp.messaging.incoming.events.group.id", String.class);
        KafkaGroups.awaitAssigned(group, TestTopics.EVENTS, Duration.ofSeconds(60));
        String tenant = tenant();
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Event> all = new ArrayList<>();
        for (int d = 0; d < DEVICES; d++) {
            for (int p = 0; p < PEOPLE; p++) {
                String device = "device-" + run + "-" + p + "-" + d;
                all.add(identify(tenant, null, device, Map.of("email", email(run, p))));
                for (int v = 0; v < VIEWS; v++) {
                    all.add(track(tenant, null, device, "Product Viewed"));
                }
            }
        }
        double conflictsBefore = conflicts();
        try (TestEvents events = new TestEvents()) {
            events.sendAll(all);
        }

        ProfileSummary summary = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> profiles.summarize(tenant, 10).await().indefinitely(), s -> s.events() == all.size());
        assertEquals(PEOPLE, summary.profiles(), "one profile per person, none split by the race");
        assertEquals(
                Map.of("ANONYMOUS_ID", (long) PEOPLE * DEVICES, "EMAIL", (long) PEOPLE), summary.identitiesByType());
        for (int p = 0; p < PEOPLE; p++) {
            ProfileView person = profiles.byIdentity(tenant, IdentityType.EMAIL, email(run, p))
                    .await()
                    .indefinitely();
            assertNotNull(person, "person " + p);
            assertEquals(Map.of("identify", (long) DEVICES, "Product Viewed", (long) DEVICES * VIEWS), person.counts());
            for (int d = 0; d < DEVICES; d++) {
                ProfileView device = profiles.byIdentity(
                                tenant, IdentityType.ANONYMOUS_ID, "device-" + run + "-" + p + "-" + d)
                        .await()
                        .indefinitely();
                assertEquals(person.id(), device.id(), "device " + d + " of person " + p);
            }
        }
        assertTrue(
                conflicts() > conflictsBefore, "the consumers did overtake each other (else this test proved nothing)");
    }

    /**
     * Every person first appears as several anonymous profiles (one per device) that were written
     * many times (versions above any small-number cache); then each device's identify carries the
     * person's email on its own partition, so the consumers race to attach the email and to merge
     * the same profiles into one. The result must be one profile per person.
     */
    @Test
    void mergesRacingOnLongWrittenProfilesBuildWhatOneConsumerBuilds() throws Exception {
        String group = ConfigProvider.getConfig().getValue("mp.messaging.incoming.events.group.id", String.class);
        KafkaGroups.awaitAssigned(group, TestTopics.EVENTS, Duration.ofSeconds(60));
        String tenant = tenant();
        String run = UUID.randomUUID().toString().substring(0, 8);
        int people = PEOPLE / 2;
        List<Event> views = new ArrayList<>();
        List<Event> identifies = new ArrayList<>();
        for (int d = 0; d < DEVICES; d++) {
            for (int p = 0; p < people; p++) {
                String device = "device-" + run + "-" + p + "-" + d;
                views.add(track(tenant, null, device, "Product Viewed"));
                identifies.add(identify(tenant, null, device, Map.of("email", email(run, p))));
            }
        }
        try (TestEvents events = new TestEvents()) {
            events.sendAll(views);
        }
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> profiles.summarize(tenant, 10).await().indefinitely(), s -> s.events() == views.size());
        // as if each profile had been written a thousand times
        pool.preparedQuery("update profiles set version = version + 1000 where tenant = $1")
                .execute(Tuple.of(tenant))
                .await()
                .indefinitely();

        double conflictsBefore = conflicts();
        try (TestEvents events = new TestEvents()) {
            events.sendAll(identifies);
        }
        ProfileSummary summary = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> profiles.summarize(tenant, 10).await().indefinitely(),
                        s -> s.events() == views.size() + identifies.size());
        assertEquals(people, summary.profiles(), "one profile per person");
        assertEquals((long) people * (DEVICES - 1), summary.merges(), "every other device's profile merged in");
        for (int p = 0; p < people; p++) {
            ProfileView person = profiles.byIdentity(tenant, IdentityType.EMAIL, email(run, p))
                    .await()
                    .indefinitely();
            assertNotNull(person, "person " + p);
            assertEquals(Map.of("identify", (long) DEVICES, "Product Viewed", (long) DEVICES), person.counts());
            for (int d = 0; d < DEVICES; d++) {
                ProfileView device = profiles.byIdentity(
                                tenant, IdentityType.ANONYMOUS_ID, "device-" + run + "-" + p + "-" + d)
                        .await()
                        .indefinitely();
                assertEquals(person.id(), device.id(), "device " + d + " of person " + p);
            }
        }
        assertTrue(
                conflicts() > conflictsBefore, "the consumers did overtake each other (else this test proved nothing)");
    }

    private double conflicts() {
        return registry.counter("strata_profile_batch_conflicts_total").count();
    }

    private static String email(String run, int person) {
        return "p" + person + "-" + run + "@example.cn";
    }
}
