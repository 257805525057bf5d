package io.strata.profile.messaging;

import static io.strata.profile.support.TestEvents.base;
import static io.strata.profile.support.TestEvents.track;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.strata.platform.kafka.DeadLetters;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileView;
import io.strata.profile.service.ProfileQueryService;
import io.strata.profile.support.FailingTenants;
import io.strata.profile.support.TestEvents;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.testing.KafkaGroups;
import io.strata.testing.KafkaProbe;
import io.strata.testing.TestTopics;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** A batch the database fails twice, holding a record that is no event and an event it refuses. */
@QuarkusTest
class ApplyFailuresTest {

    @Inject
    ProfileQueryService profiles;

    @Inject
    Pool pool;

    @Test
    void deadLettersAreSentOnceHoweverOftenTheBatchIsRetried() throws Exception {
        String group = ConfigProvider.getConfig().getValue("mp.messaging.incoming.events.group.id", String.class);
        KafkaGroups.awaitAssigned(group, TestTopics.EVENTS, Duration.ofSeconds(60));
        FailingTenants.install(pool);
        String tenant = FailingTenants.failingTwice(pool);
        Event poison = base(tenant, "u-1", null)
                .setType(EventType.EVENT_TYPE_TRACK)
                .setEvent("Refused")
                .setMessageId("poison-" + tenant)
                .build();
        try (TestEvents events = new TestEvents();
                KafkaProbe dlq = new KafkaProbe(TestTopics.DEAD_LETTERS)) {
            // one key, one partition: one batch, in this order
            String key = tenant + "/u-1";
            events.sendRecords(List.of(
                    Map.entry(key, "no event".getBytes(StandardCharsets.UTF_8)),
                    Map.entry(key, track(tenant, "u-1", null, "Before").toByteArray()),
                    Map.entry(key, poison.toByteArray()),
                    Map.entry(key, track(tenant, "u-1", null, "After").toByteArray())));

            ProfileView profile = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () -> profiles.byIdentity(tenant, IdentityType.USER_ID, "u-1")
                                    .await()
                                    .indefinitely(),
                            p -> p != null && p.counts().containsKey("After"));
            assertEquals(Map.of("Before", 1L, "After", 1L), profile.counts(), "applied once, without the refused one");

            List<ConsumerRecord<String, byte[]>> letters = dlq.drain(Duration.ofSeconds(3)).stream()
                    .filter(r -> (tenant + "/u-1").equals(r.key()))
                    .toList();
            assertEquals(2, letters.size(), "the record that is no event and the refused event, once each: " + letters);
            assertEquals("no event", new String(letters.get(0).value(), StandardCharsets.UTF_8));
            assertEquals(poison, Event.parseFrom(letters.get(1).value()));
            assertEquals("profile-service", DeadLetters.header(letters.get(1).headers(), DeadLetters.SERVICE));
        }
    }
}
