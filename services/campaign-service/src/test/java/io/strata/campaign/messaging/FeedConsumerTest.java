package io.strata.campaign.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.campaign.repository.Db;
import io.strata.campaign.repository.JourneyRepository;
import io.strata.campaign.service.JourneyCache;
import io.strata.campaign.support.CampaignTopics;
import io.strata.campaign.support.Feeds;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The feeds drive journeys: changes fill the recipients, membership starts, events move and end. */
@QuarkusTest
@QuarkusTestResource(value = CampaignTopics.class, restrictToAnnotatedClass = true)
class FeedConsumerTest {

    private static final String JOURNEY = """
            {"key": "win-back", "name": "Win back",
             "exitWhen": [{"leftAudience": "churn-warning"}],
             "nodes": [
              {"id": "start", "type": "trigger", "on": {"audienceEnter": "churn-warning"}, "next": "miss-you"},
              {"id": "miss-you", "type": "send", "channel": "sms", "template": "miss_you", "sender": "【Strata】",
               "next": "bought"},
              {"id": "bought", "type": "waitForEvent",
               "branches": [{"event": "Order Completed", "where": {"channel": "app"}, "next": "done"}],
               "timeout": "P7D", "timeoutNext": "done"},
              {"id": "done", "type": "exit"}
            ]}""";

    @Inject
    Db db;

    @Inject
    JourneyCache journeys;

    @Test
    void theFeedsStartMoveAndEndJourneys() {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        db.inTransaction(s -> {
            JourneyRepository.saveDraft(s, tenant, "win-back", "Win back", JOURNEY, "test");
            JourneyRepository.publish(s, tenant, "win-back", JOURNEY, "test");
            s.query("insert into send_policies (tenant, policy) values ($1, '{\"quietHours\": {}}')", Tuple.of(tenant));
            return null;
        });
        journeys.invalidate(tenant);
        try (var feeds = new Feeds(tenant)) {
            feeds.reachableBySms("buyer", "+8613800000001");
            feeds.reachableBySms("leaver", "+8613800000002");
            feeds.reachableBySms("refuser", "+8613800000003");
            feeds.consent("refuser", "sms", false);
            feeds.garbage("buyer"); // dead-lettered; the records after it still apply
            // the feeds are three topics, in no order with one another: the changes first, then the entries
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(
                                    tenant,
                                    "select count(*) from recipients where tenant = $1 and addresses ? 'sms' and (profile_id"
                                            + " <> 'refuser' or consents::text like '%\"granted\": false%')")
                            == 3);
            for (String p : new String[] {"buyer", "leaver", "refuser"}) {
                feeds.entered(p, "churn-warning", true);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> count(
                                    tenant,
                                    "select count(*) from journey_history where tenant = $1 and node = 'bought'"
                                            + " and kind in ('entered', 'moved')")
                            == 3);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(tenant, "select count(*) from sandbox_deliveries where tenant = $1") == 2);
            assertEquals(
                    "+8613800000001",
                    one(
                            tenant,
                            "select address from sandbox_deliveries s join send_ledger l"
                                    + " using (send_key) where s.tenant = $1 and l.profile_id = 'buyer'"));
            assertEquals(
                    "no_consent",
                    one(tenant, "select reason from send_ledger where tenant = $1" + " and profile_id = 'refuser'"));

            // each message's changes of state, announced on strata.messages.v1 through the outbox
            var announced = messages(tenant, 3);
            assertEquals(
                    java.util.Set.of("buyer:sent:", "leaver:sent:", "refuser:suppressed:no_consent"),
                    java.util.Set.copyOf(announced));

            feeds.track("buyer", "Order Completed", Map.of("channel", "store")); // not the branch's filter
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(
                                    tenant,
                                    "select count(*) from profile_events where tenant = $1 and profile_id = 'buyer'")
                            == 1);
            assertEquals(
                    "ACTIVE:bought",
                    one(
                            tenant,
                            "select status || ':' || node from instances"
                                    + " where tenant = $1 and profile_id = 'buyer'"));
            feeds.track("buyer", "Order Completed", Map.of("channel", "app"));
            feeds.entered("leaver", "churn-warning", false);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(tenant, "select count(*) from instances where tenant = $1 and status = 'ACTIVE'")
                            == 1);
            assertEquals(
                    "COMPLETED:completed",
                    one(
                            tenant,
                            "select status || ':' || end_reason from instances"
                                    + " where tenant = $1 and profile_id = 'buyer'"));
            assertEquals(
                    "EXITED:left audience churn-warning",
                    one(
                            tenant,
                            "select status || ':' || end_reason"
                                    + " from instances where tenant = $1 and profile_id = 'leaver'"));

            feeds.deleted("refuser");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(tenant, "select count(*) from instances where tenant = $1 and status = 'ACTIVE'")
                            == 0);
            assertEquals(
                    "true:{}",
                    one(
                            tenant,
                            "select deleted || ':' || addresses::text from recipients"
                                    + " where tenant = $1 and profile_id = 'refuser'"));
        }
    }

    /** The first {@code n} message events of the tenant: profile:status:reason, each key checked. */
    private static java.util.List<String> messages(String tenant, int n) {
        var props = new java.util.Properties();
        props.put("bootstrap.servers", io.strata.testing.LocalStack.kafkaBootstrapServers());
        props.put("group.id", "messages-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        var out = new java.util.ArrayList<String>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(
                props,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(java.util.List.of(io.strata.campaign.support.CampaignTopics.MESSAGES));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    var e = io.strata.proto.campaign.v1.MessageEvent.parseFrom(r.value());
                    if (e.getTenant().equals(tenant)) {
                        assertEquals(tenant + "/" + e.getProfileId(), r.key());
                        assertEquals(e.getSendKey() + "/" + e.getStatus(), e.getEventId());
                        out.add(e.getProfileId() + ":" + e.getStatus() + ":" + e.getReason());
                    }
                }
                return out.size() >= n;
            });
        }
        return out;
    }

    private long count(String tenant, String sql) {
        return db.query(sql, Tuple.of(tenant)).iterator().next().getLong(0);
    }

    private String one(String tenant, String sql) {
        for (Row row : db.query(sql, Tuple.of(tenant))) {
            return String.valueOf(row.getValue(0));
        }
        return "none";
    }
}
