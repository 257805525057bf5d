package io.strata.campaign.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.strata.campaign.domain.ProfileEvent;
import io.strata.campaign.repository.Db;
import io.strata.campaign.repository.JourneyRepository;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Journeys run on the test database by the service's own workers, each test in a tenant of its own. */
@QuarkusTest
class JourneyRuntimeTest {

    private static final String JOURNEY = """
            {"key": "vip-welcome", "name": "VIP welcome",
             "exitWhen": [{"event": "Refund Completed"}],
             "nodes": [
              {"id": "start", "type": "trigger", "on": {"audienceEnter": "vip"}, "next": "hello"},
              {"id": "hello", "type": "send", "channel": "sms", "template": "vip_hello", "sender": "【Strata】",
               "next": "pause"},
              {"id": "pause", "type": "wait", "for": "PT2S", "next": "split"},
              {"id": "split", "type": "split", "salt": "vip-1", "arms": [
                {"name": "push", "weight": 1, "next": "offer"},
                {"name": "control", "weight": 1, "control": true, "next": "bought"}]},
              {"id": "offer", "type": "send", "channel": "push", "template": "vip_offer", "next": "bought"},
              {"id": "bought", "type": "goal", "event": "Order Completed", "within": "PT3S", "next": "done"},
              {"id": "done", "type": "exit"}
            ]}""";

    private static final String FIRST_ORDER = """
            {"key": "first-order", "name": "First order + 7 days", "reentry": {"mode": "never"},
             "nodes": [
              {"id": "start", "type": "trigger", "on": {"event": "Order Completed"}, "next": "week"},
              {"id": "week", "type": "wait", "for": "P7D", "next": "hello"},
              {"id": "hello", "type": "send", "channel": "sms", "template": "vip_hello", "sender": "【Strata】",
               "next": "again"},
              {"id": "again", "type": "goal", "event": "Order Completed", "within": "P14D", "next": "done"},
              {"id": "done", "type": "exit"}
            ]}""";

    @Inject
    JourneyRuntime runtime;

    @Inject
    JourneyService service;

    @Inject
    Db db;

    @Inject
    JourneyCache journeys;

    @Test
    void enteringAnAudienceRunsTheJourneyAndSendsEachMessageOnce() {
        String tenant = tenant();
        var profiles = new ArrayList<String>();
        for (int i = 0; i < 40; i++) {
            profiles.add("p-" + i);
        }
        reachable(tenant, profiles);
        Instant now = Instant.now();
        var signals = new ArrayList<Signal>();
        profiles.forEach(p -> signals.add(new Signal.Audience(p, "vip", true, now, "vip@" + now)));
        var outcome = runtime.handle(tenant, signals);
        assertEquals(40, outcome.started());
        assertEquals(40, outcome.queued());
        // the same transitions again (a redelivery): nothing new
        assertEquals(0, runtime.handle(tenant, signals).started());
        // p-0 buys within the goal's window after its arm is assigned; p-1 asks for a refund: it leaves
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        count(tenant, "select count(*) from journey_history where tenant = $1 and kind = 'assigned'")
                                == 40);
        runtime.handle(
                tenant,
                List.of(
                        new Signal.Event("p-0", event("Order Completed")),
                        new Signal.Event("p-1", event("Refund Completed"))));

        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        count(tenant, "select count(*) from instances where tenant = $1 and status <> 'ACTIVE'") == 40);
        long pushArm = count(tenant, "select count(*) from instances where tenant = $1 and arm = 'push'");
        assertTrue(pushArm > 5 && pushArm < 35, "about half in the push arm: " + pushArm);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        count(tenant, "select count(*) from send_ledger where tenant = $1 and status = 'queued'") == 0);
        // p-1's refund came after its arm's message: every push arm member got one
        assertEquals(40 + pushArm, count(tenant, "select count(*) from sandbox_deliveries where tenant = $1"));
        assertEquals(0, count(tenant, "select count(*) from sandbox_deliveries where tenant = $1 and calls > 1"));
        assertEquals(
                count(tenant, "select count(*) from send_ledger where tenant = $1 and status = 'sent'"),
                count(tenant, "select count(*) from sandbox_deliveries where tenant = $1"));
        // every instance arrived once at each node it passed
        assertEquals(
                0,
                count(
                        tenant,
                        "select count(*) from (select instance_id, node from journey_history"
                                + " where tenant = $1 and kind in ('entered', 'moved') group by 1, 2 having count(*) > 1) d"));
        assertEquals(
                1,
                count(
                        tenant,
                        "select count(*) from journey_history where tenant = $1 and kind = 'converted'"
                                + " and profile_id = 'p-0'"));
        assertEquals("EXITED", status(tenant, "p-1").split(":")[0]);
    }

    @Test
    void aDeletedPersonInARunningJourneyGetsNothingMore() {
        String tenant = tenant();
        reachable(tenant, List.of("p-del", "p-keep"));
        Instant now = Instant.now();
        runtime.handle(
                tenant,
                List.of(
                        new Signal.Audience("p-del", "vip", true, now, "e1"),
                        new Signal.Audience("p-keep", "vip", true, now, "e1")));
        runtime.handle(tenant, List.of(new Signal.Deleted("p-del", Instant.now())));
        assertEquals("EXITED:deleted", status(tenant, "p-del"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !status(tenant, "p-keep").startsWith("ACTIVE"));
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        count(tenant, "select count(*) from send_ledger where tenant = $1 and status = 'queued'") == 0);
        // the hello SMS may have gone out before the deletion; nothing after it did
        assertEquals(
                0,
                count(
                        tenant,
                        "select count(*) from send_ledger where tenant = $1 and profile_id = 'p-del'"
                                + " and node <> 'hello'"));
        assertEquals(
                0,
                count(
                        tenant,
                        "select count(*) from journey_history where tenant = $1 and profile_id = 'p-del'"
                                + " and node in ('split', 'offer', 'bought')"));
        // a deleted person does not enter again
        assertEquals(
                0,
                runtime.handle(tenant, List.of(new Signal.Audience("p-del", "vip", true, now, "e2")))
                        .started());
    }

    @Test
    void replicasFiringTheSameDueTimersTogetherFireEachOnce() throws Exception {
        String tenant = tenant();
        var profiles = new ArrayList<String>();
        for (int i = 0; i < 300; i++) {
            profiles.add("r-" + i);
        }
        reachable(tenant, profiles);
        Instant now = Instant.now();
        var signals = new ArrayList<Signal>();
        profiles.forEach(p -> signals.add(new Signal.Audience(p, "vip", true, now, "x")));
        runtime.handle(tenant, signals);
        // two more claimers beside the service's own timer worker, all at once when the waits are due
        try (var pool = Executors.newFixedThreadPool(2)) {
            var tasks = new ArrayList<Callable<Integer>>();
            for (int k = 0; k < 2; k++) {
                tasks.add(() -> {
                    int fired = 0;
                    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (System.nanoTime() < end
                            && count(tenant, "select count(*) from instances where tenant = $1 and status = 'ACTIVE'")
                                    > 0) {
                        fired += runtime.fireDue(50);
                    }
                    return fired;
                });
            }
            pool.invokeAll(tasks);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        count(tenant, "select count(*) from instances where tenant = $1 and status = 'ACTIVE'") == 0);
        assertEquals(
                300, count(tenant, "select count(*) from journey_history where tenant = $1 and kind = 'assigned'"));
        assertEquals(
                0,
                count(
                        tenant,
                        "select count(*) from (select instance_id, node from journey_history"
                                + " where tenant = $1 and kind in ('entered', 'moved') group by 1, 2 having count(*) > 1) d"));
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        count(tenant, "select count(*) from send_ledger where tenant = $1 and status = 'queued'") == 0);
        assertEquals(0, count(tenant, "select count(*) from sandbox_deliveries where tenant = $1 and calls > 1"));
    }

    @Test
    void anInstanceThatCannotMoveEndsAndHoldsUpNoOther() {
        String tenant = tenant();
        var past = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusDays(3650);
        db.inTransaction(s -> {
            // a version that does not exist, due before every other timer; a person known to no recipient row
            s.query(
                    "insert into instances (id, tenant, journey_key, version, profile_id, iteration, entry_key, status,"
                            + " node, entered_at, arrived_at, assigned_at, wake_at) values ($1, $2, 'ghost', 1, 'g-1', 1,"
                            + " 'x', 'ACTIVE', 'w', $3, $3, $3, $3)",
                    Tuple.of(UUID.randomUUID(), tenant, past));
            s.query(
                    "insert into instances (id, tenant, journey_key, version, profile_id, iteration, entry_key, status,"
                            + " node, entered_at, arrived_at, assigned_at, wake_at) values ($1, $2, 'vip-welcome', 1,"
                            + " 'unknown-1', 1, 'x', 'ACTIVE', 'pause', $3, $3, $3, $3)",
                    Tuple.of(UUID.randomUUID(), tenant, past.plusSeconds(1)));
            return null;
        });
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !status(tenant, "g-1").startsWith("ACTIVE"));
        assertTrue(status(tenant, "g-1").startsWith("EXITED:failed: IllegalStateException"), status(tenant, "g-1"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> count(
                                tenant,
                                "select count(*) from journey_history where tenant = $1 and profile_id = 'unknown-1'"
                                        + " and from_node = 'pause' and kind = 'moved'")
                        == 1);
    }

    @Test
    void aHeldClockReplaysHistoryWithEachTimerAtItsOwnDueTime() {
        String tenant = tenant();
        db.inTransaction(s -> {
            JourneyRepository.saveDraft(s, tenant, "first-order", "First order + 7 days", FIRST_ORDER, "test");
            JourneyRepository.publish(s, tenant, "first-order", FIRST_ORDER, "test");
            return null;
        });
        journeys.invalidate(tenant);
        reachable(tenant, List.of("p-a", "p-b", "p-old"));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        service.setClock(tenant, t0).await().indefinitely();

        // history arrives in bursts far ahead of the held clock, a person's second order before the
        // first (they took different paths): the first order is the entry all the same
        runtime.handle(tenant, List.of(new Signal.Event("p-a", order(t0.plus(Duration.ofDays(10))))));
        runtime.handle(
                tenant,
                List.of(
                        new Signal.Event("p-a", order(t0.plus(Duration.ofHours(1)))),
                        new Signal.Event("p-b", order(t0.plus(Duration.ofHours(2)))),
                        // from long before the clock: an import of history starts nothing
                        new Signal.Event("p-old", order(t0.minus(Duration.ofDays(30))))));
        assertEquals(
                3,
                count(
                        tenant,
                        "select count(*) from instances where tenant = $1 and journey_key = 'first-order'"
                                + " and node = 'start'"),
                "three entries wait for the clock");
        assertEquals(0, runtime.fireDue(500), "nothing is due by the held clock");
        assertEquals(0, service.clock(tenant).await().indefinitely().due());

        service.setClock(tenant, t0.plus(Duration.ofDays(30))).await().indefinitely();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count(
                                tenant,
                                "select count(*) from instances where tenant = $1 and journey_key = 'first-order'"
                                        + " and status = 'ACTIVE'")
                        == 0);
        // p-a entered once, on its first order (its second, arrived first, was refused by `never`)
        assertEquals(
                2, count(tenant, "select count(*) from instances where tenant = $1 and journey_key = 'first-order'"));
        assertEquals(
                t0.plus(Duration.ofHours(1)),
                at(
                        tenant,
                        "select entered_at from instances where tenant = $1 and journey_key = 'first-order'"
                                + " and profile_id = 'p-a'"));
        // each step happened when it was due, not when the clock moved
        assertEquals(
                t0.plus(Duration.ofDays(7)).plus(Duration.ofHours(1)),
                at(tenant, "select min(at) from journey_history where tenant = $1 and node = 'hello'"));
        assertEquals(
                t0.plus(Duration.ofDays(10)),
                at(tenant, "select at from journey_history where tenant = $1 and kind = 'converted'"));
        assertEquals(1, count(tenant, "select count(*) from journey_history where tenant = $1 and kind = 'converted'"));
        // p-b's goal waited out its 14 days from the entry (no split) at its own time
        assertEquals(
                t0.plus(Duration.ofDays(14)).plus(Duration.ofHours(2)),
                at(
                        tenant,
                        "select at from journey_history where tenant = $1 and profile_id = 'p-b' and kind = 'ended'"));
        var clock = service.clock(tenant).await().indefinitely();
        assertEquals(Optional.of(t0.plus(Duration.ofDays(30))), clock.heldAt());
        assertEquals(0, clock.due());

        service.setClock(tenant, null).await().indefinitely();
        assertEquals(
                Optional.empty(), service.clock(tenant).await().indefinitely().heldAt());
    }

    @Test
    void aWeChatSubscriptionMessageSpendsTheOneTimeAcceptanceItWasSentOn() {
        String tenant = tenant();
        String coupon = """
                {"key": "coupon-ready", "name": "Coupon ready", "reentry": {"mode": "every_entry"},
                 "nodes": [
                  {"id": "start", "type": "trigger", "on": {"event": "Coupon Claimed"}, "next": "notify"},
                  {"id": "notify", "type": "send", "channel": "wechat", "template": "TPL-C", "sender": "wx1",
                   "next": "done"},
                  {"id": "done", "type": "exit"}
                ]}""";
        db.inTransaction(s -> {
            s.query(
                    "insert into templates (tenant, channel, template, body, approved, opt_out) values"
                            + " ($1, 'wechat', 'TPL-C', '{\"thing1\": \"coupon\"}', true, false)",
                    Tuple.of(tenant));
            JourneyRepository.saveDraft(s, tenant, "coupon-ready", "Coupon ready", coupon, "test");
            JourneyRepository.publish(s, tenant, "coupon-ready", coupon, "test");
            s.query(
                    "insert into recipients (tenant, profile_id, consents, addresses) values ($1, 'p-w',"
                            + " '[{\"channel\": \"wechat\", \"purpose\": \"marketing\", \"sender\": \"wx1\","
                            + " \"granted\": true, \"at\": \"2026-01-01T00:00:00Z\"}]', '{\"wechat\": \"openid-w\"}')",
                    Tuple.of(tenant));
            s.query("insert into send_policies (tenant, policy) values ($1, '{\"quietHours\": {}}')", Tuple.of(tenant));
            return null;
        });
        journeys.invalidate(tenant);
        var accepted = new ProfileEvent(
                "Subscription Accepted", Instant.now(), UUID.randomUUID().toString(), Map.of("template", "TPL-C"));

        // one acceptance (delivered twice), then two claims: the first is sent, the second has none left
        runtime.handle(tenant, List.of(new Signal.Event("p-w", accepted), new Signal.Event("p-w", accepted)));
        assertEquals("{\"TPL-C\":1}", quota(tenant, "p-w"));
        runtime.handle(tenant, List.of(new Signal.Event("p-w", event("Coupon Claimed"))));
        runtime.handle(tenant, List.of(new Signal.Event("p-w", event("Coupon Claimed"))));

        assertEquals("{}", quota(tenant, "p-w"));
        assertEquals(
                1,
                count(
                        tenant,
                        "select count(*) from send_ledger where tenant = $1 and channel = 'wechat'"
                                + " and status in ('queued', 'sent')"));
        assertEquals(
                1,
                count(
                        tenant,
                        "select count(*) from send_ledger where tenant = $1 and status = 'suppressed'"
                                + " and reason = 'no_subscription_quota'"));
    }

    private String quota(String tenant, String profile) {
        return db.query(
                        "select quota::text from recipients where tenant = $1 and profile_id = $2",
                        Tuple.of(tenant, profile))
                .iterator()
                .next()
                .getString(0)
                .replace(" ", "");
    }

    private String tenant() {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        db.inTransaction(s -> {
            s.query(
                    "insert into templates (tenant, channel, template, body, approved, opt_out) values"
                            + " ($1, 'sms', 'vip_hello', 'Welcome 回T退订', true, true),"
                            + " ($1, 'push', 'vip_offer', 'An offer', true, false)",
                    Tuple.of(tenant));
            JourneyRepository.saveDraft(s, tenant, "vip-welcome", "VIP welcome", JOURNEY, "test");
            JourneyRepository.publish(s, tenant, "vip-welcome", JOURNEY, "test");
            return null;
        });
        journeys.invalidate(tenant);
        return tenant;
    }

    /** Recipients with SMS and push consent and addresses. */
    private void reachable(String tenant, List<String> profiles) {
        var consents = new JsonArray()
                .add(new JsonObject(Map.of(
                        "channel",
                        "sms",
                        "purpose",
                        "marketing",
                        "sender",
                        "",
                        "granted",
                        true,
                        "at",
                        "2026-01-01T00:00:00Z")))
                .add(new JsonObject(Map.of(
                        "channel",
                        "push",
                        "purpose",
                        "marketing",
                        "sender",
                        "",
                        "granted",
                        true,
                        "at",
                        "2026-01-01T00:00:00Z")));
        var rows = new ArrayList<Tuple>();
        for (String p : profiles) {
            rows.add(Tuple.of(
                    tenant,
                    p,
                    consents,
                    new JsonObject(new HashMap<>(Map.of("sms", "+86138" + p, "push", "tok-" + p)))));
        }
        db.inTransaction(s -> {
            s.batch(
                    "insert into recipients (tenant, profile_id, consents, addresses, zone) values ($1, $2, $3, $4,"
                            + " 'UTC')",
                    rows);
            // no quiet hours: the test runs at any hour
            s.query("insert into send_policies (tenant, policy) values ($1, '{\"quietHours\": {}}')", Tuple.of(tenant));
            return null;
        });
    }

    private static ProfileEvent event(String name) {
        return new ProfileEvent(name, Instant.now(), UUID.randomUUID().toString(), Map.of());
    }

    private static ProfileEvent order(Instant at) {
        return new ProfileEvent("Order Completed", at, UUID.randomUUID().toString(), Map.of());
    }

    private Instant at(String tenant, String sql) {
        return db.query(sql, Tuple.of(tenant))
                .iterator()
                .next()
                .getOffsetDateTime(0)
                .toInstant();
    }

    private long count(String tenant, String sql) {
        return db.query(sql, Tuple.of(tenant)).iterator().next().getLong(0);
    }

    private String status(String tenant, String profile) {
        for (Row row : db.query(
                "select status, end_reason from instances where tenant = $1 and profile_id = $2 order by entered_at desc"
                        + " limit 1",
                Tuple.of(tenant, profile))) {
            return row.getString("status") + ":" + row.getString("end_reason");
        }
        return "none";
    }
}
