package io.strata.campaign.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.strata.campaign.repository.Db;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Broadcasts and the date trigger, run by the service's own workers, each test in a tenant of its own. */
@QuarkusTest
class BroadcastTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    BroadcastService broadcasts;

    @Inject
    JourneyService journeys;

    @Inject
    Db db;

    @Test
    void aBroadcastReachesEveryMemberOnceAndThePreviewSaysWhoBeforehand() {
        String tenant = tenant();
        // 30 members of aud-spring: 20 with SMS consent, 1 deleted; 5 others outside the audience
        var rows = new ArrayList<Tuple>();
        for (int i = 0; i < 36; i++) {
            var consents = new JsonArray();
            if (i < 20 || i >= 31) {
                consents.add(sms(true));
            }
            rows.add(Tuple.of(
                    tenant,
                    String.format("p-%02d", i),
                    consents,
                    new JsonObject(new HashMap<>(Map.of("sms", "+86139000000" + i))),
                    i < 31 ? new String[] {"aud-spring", "vip"} : new String[] {"vip"},
                    i == 30));
        }
        db.inTransaction(s -> {
            s.batch(
                    "insert into recipients (tenant, profile_id, consents, addresses, audiences, deleted, zone) values"
                            + " ($1, $2, $3, $4, $5, $6, 'UTC')",
                    rows);
            return null;
        });

        var preview = broadcasts
                .preview(tenant, "aud-spring", "sms", "spring", "【蓝序】", true)
                .await()
                .atMost(WAIT);
        assertEquals(30, preview.members());
        assertEquals(20, preview.reachable());
        assertEquals(Map.of("no_consent", 10L), preview.suppressed());
        assertEquals(20, preview.sample().size());

        var spec = new BroadcastService.Spec(
                "spring-sale",
                "Spring sale",
                "aud-spring",
                "sms",
                "spring",
                "【蓝序】",
                true,
                Optional.empty(),
                List.of(new BroadcastService.Arm("sms", 3, false), new BroadcastService.Arm("control", 1, true)),
                Optional.of(new BroadcastService.Goal("Order Completed", Duration.ofDays(7))));
        assertEquals(
                1, broadcasts.create(tenant, spec, "mia").await().atMost(WAIT).getValue());

        await().atMost(WAIT)
                .until(() -> text(tenant, "select status from broadcast_runs where tenant = $1")
                        .equals("done"));
        assertEquals("30/30", text(tenant, "select members || '/' || started from broadcast_runs where tenant = $1"));
        long control = count(tenant, "select count(*) from instances where tenant = $1 and arm = 'control'");
        long armed = count(
                tenant,
                "select count(*) from instances i join recipients r using (tenant, profile_id) where i.tenant = $1"
                        + " and i.arm = 'sms' and jsonb_array_length(r.consents) > 0");
        assertTrue(control > 0 && control < 30, "a control group: " + control);
        await().atMost(WAIT)
                .until(() ->
                        count(tenant, "select count(*) from send_ledger where tenant = $1 and status = 'queued'") == 0);
        assertEquals(armed, count(tenant, "select count(*) from sandbox_deliveries where tenant = $1"));
        assertEquals(0, count(tenant, "select count(*) from send_ledger where tenant = $1 and profile_id = 'p-30'"));
        assertEquals(0, count(tenant, "select count(*) from instances where tenant = $1 and profile_id >= 'p-31'"));

        // published again (a new version): a broadcast of its own, which starts nobody twice
        journeys.publish(tenant, "spring-sale", "mia").await().atMost(WAIT);
        await().atMost(WAIT)
                .until(() -> count(tenant, "select count(*) from broadcast_runs where tenant = $1 and status = 'done'")
                        == 2);
        assertEquals(30, count(tenant, "select count(*) from instances where tenant = $1"));
    }

    @Test
    void theDateTriggerGreetsEachBirthdayOnItsDayOnce() {
        String tenant = tenant();
        // on a journey clock held at noon of a fixed day, whatever the hour the test runs at
        Instant noon = Instant.parse("2026-06-15T12:00:00Z");
        LocalDate today = noon.atZone(ZoneOffset.UTC).toLocalDate();
        db.inTransaction(s ->
                s.query("insert into journey_clocks (tenant, held_at) values ($1, $2)", Tuple.of(tenant, Db.ts(noon))));
        var rows = new ArrayList<Tuple>();
        rows.add(birthday(tenant, "p-today", today.minusYears(30)));
        rows.add(birthday(tenant, "p-tomorrow", today.plusDays(1).minusYears(30)));
        rows.add(birthday(tenant, "p-none", null));
        String birthdayJourney = """
                {"key": "birthday", "name": "Birthday", "reentry": {"mode": "every_entry"},
                 "nodes": [
                  {"id": "start", "type": "trigger", "on": {"date": "birthday", "at": "00:00", "yearly": true},
                   "next": "greet"},
                  {"id": "greet", "type": "send", "channel": "sms", "template": "spring", "sender": "【蓝序】",
                   "next": "done"},
                  {"id": "done", "type": "exit"}
                ]}""";
        db.inTransaction(s -> {
            s.batch(
                    "insert into recipients (tenant, profile_id, consents, addresses, traits, zone) values ($1, $2, $3,"
                            + " $4, $5, 'UTC')",
                    rows);
            return null;
        });
        journeys.save(tenant, birthdayJourney, "mia").await().atMost(WAIT);
        journeys.publish(tenant, "birthday", "mia").await().atMost(WAIT);

        await().atMost(WAIT).until(() -> count(tenant, "select count(*) from instances where tenant = $1") == 1);
        assertEquals(
                "p-today/date:" + today,
                text(tenant, "select profile_id || '/' || entry_key from instances where tenant = $1"));
        // later scans start nobody again
        await().during(Duration.ofSeconds(2))
                .atMost(WAIT)
                .until(() -> count(tenant, "select count(*) from instances where tenant = $1") == 1);
    }

    private static JsonObject sms(boolean granted) {
        return new JsonObject(Map.of(
                "channel",
                "sms",
                "purpose",
                "marketing",
                "sender",
                "",
                "granted",
                granted,
                "at",
                "2026-01-01T00:00:00Z"));
    }

    private static Tuple birthday(String tenant, String profile, LocalDate date) {
        var traits = new JsonObject();
        if (date != null) {
            traits.put("birthday", date.toString());
        }
        return Tuple.of(
                tenant,
                profile,
                new JsonArray().add(sms(true)),
                new JsonObject(new HashMap<>(Map.of("sms", "+8613900001111"))),
                traits);
    }

    private String tenant() {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        db.inTransaction(s -> {
            s.query(
                    "insert into templates (tenant, channel, template, body, approved, opt_out) values"
                            + " ($1, 'sms', 'spring', 'Spring sale 回T退订', true, true)",
                    Tuple.of(tenant));
            s.query("insert into senders (tenant, channel, sender) values ($1, 'sms', '【蓝序】')", Tuple.of(tenant));
            // no quiet hours: the test runs at any hour
            s.query("insert into send_policies (tenant, policy) values ($1, '{\"quietHours\": {}}')", Tuple.of(tenant));
            return null;
        });
        return tenant;
    }

    private long count(String tenant, String sql) {
        return db.query(sql, Tuple.of(tenant)).iterator().next().getLong(0);
    }

    private String text(String tenant, String sql) {
        var it = db.query(sql, Tuple.of(tenant)).iterator();
        return it.hasNext() ? String.valueOf(it.next().getValue(0)) : "";
    }
}
