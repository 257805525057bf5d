package io.strata.profile.messaging;

import static io.restassured.RestAssured.given;
import static io.strata.profile.support.TestEvents.track;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.strata.profile.support.FailingTenants;
import io.strata.profile.support.TestEvents;
import io.strata.testing.KafkaGroups;
import io.strata.testing.Management;
import io.strata.testing.TestTopics;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * A database that fails every attempt: the consumer retries with back-off, then stops, and the
 * liveness check turns DOWN, so an orchestrator restarts the service rather than letting it skip
 * events. (An application of its own: it ends with its consumer stopped.)
 */
@QuarkusTest
@TestProfile(ConsumerGivesUpTest.FewAttempts.class)
class ConsumerGivesUpTest {

    public static class FewAttempts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "strata.profile.apply-attempts", "3",
                    "strata.profile.apply-backoff", "PT0.05S",
                    "strata.profile.apply-max-backoff", "PT0.1S",
                    "mp.messaging.incoming.events.concurrency", "1");
        }
    }

    @Inject
    Pool pool;

    @Test
    void afterItsRetriesTheConsumerStopsAndLivenessIsDown() throws Exception {
        String group = ConfigProvider.getConfig().getValue("mp.messaging.incoming.events.group.id", String.class);
        KafkaGroups.awaitAssigned(group, TestTopics.EVENTS, Duration.ofSeconds(60));
        given().get(Management.url("/q/health/live")).then().statusCode(200);

        FailingTenants.install(pool);
        try (TestEvents events = new TestEvents()) {
            events.send(track("fail-always-" + UUID.randomUUID(), "u-1", null, "Viewed"));
        }
        await("liveness DOWN")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> given().get(Management.url("/q/health/live")).statusCode() == 503);
    }
}
