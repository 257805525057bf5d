package io.strata.campaign.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.strata.campaign.repository.Db;
import io.strata.campaign.support.FakeProfileService;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Receipts, replies and the relay to profile-service, on the test database, each test in a tenant of its own. */
@QuarkusTest
class MessageServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    MessageService messages;

    @Inject
    Db db;

    @Test
    void receiptsMarkTheMessagesTheyNameAndRefuseWhatTheyCannotPlace() {
        String tenant = tenant();
        sent(tenant, "p-1", "key-1", "prov-1", "【蓝序】");
        sent(tenant, "p-2", "key-2", "prov-2", "【蓝序】");
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        String k1 = tenant + "/key-1";

        var result = messages.receipts(
                        tenant,
                        List.of(
                                new MessageService.Receipt(k1, "", "delivered", "", at),
                                new MessageService.Receipt("", tenant + "/prov-2", "undelivered", "phone off", at),
                                new MessageService.Receipt("key-9", "", "delivered", "", at),
                                new MessageService.Receipt(k1, "", "read", "", at),
                                new MessageService.Receipt(k1, tenant + "/prov-1", "delivered", "", at),
                                // older than the receipt held: changes nothing
                                new MessageService.Receipt(k1, "", "undelivered", "", at.minusSeconds(60))))
                .await()
                .atMost(WAIT);

        assertEquals(3, result.applied());
        assertEquals(
                List.of(
                        new MessageService.Refusal(2, "send_key", "no message handed over with this key"),
                        new MessageService.Refusal(3, "status", "status is delivered or undelivered"),
                        new MessageService.Refusal(
                                4, "send_key", "give the send key or the provider's id, one of them")),
                result.refused());
        assertEquals(
                "delivered",
                text(tenant, "select receipt from send_ledger where tenant = $1 and send_key = $1 || '/key-1'"));
        assertEquals(
                "undelivered:phone off",
                text(
                        tenant,
                        "select receipt || ':' || receipt_detail from send_ledger where tenant = $1 and send_key = $1 || '/key-2'"));
    }

    @Test
    void anSmsOptOutReplyRefusesTheSenderAtOnceAndIsRelayedToProfileServiceOnce() {
        String tenant = tenant();
        sent(tenant, "p-1", "key-1", "prov-1", "【蓝序】");
        db.inTransaction(s -> s.query(
                "insert into recipients (tenant, profile_id, addresses, consents) values ($1, 'p-1',"
                        + " '{\"sms\": \"+8613800000001\"}', '[{\"channel\": \"sms\", \"purpose\": \"marketing\","
                        + " \"sender\": \"\", \"granted\": true, \"at\": \"2026-01-01T00:00:00Z\"}]')",
                Tuple.of(tenant)));
        // the provider reports the bare mainland number: it is the profile's +86 number
        var td = new MessageService.Reply("sms", "138 0000 0001", "", " TD ", null, "mo-1");

        var result = messages.replies(
                        tenant,
                        List.of(
                                td,
                                new MessageService.Reply("sms", "+8613999999999", "", "退订", null, "mo-2"),
                                new MessageService.Reply("sms", "+8613800000001", "", "Thanks!", null, "mo-3"),
                                new MessageService.Reply("fax", "+8613800000001", "", "T", null, "mo-4")))
                .await()
                .atMost(WAIT);
        // the same reply delivered again
        var again = messages.replies(tenant, List.of(td)).await().atMost(WAIT);

        assertEquals(3, result.applied());
        assertEquals(1, result.optedOut());
        assertEquals(1, result.unknown());
        assertEquals(List.of(new MessageService.Refusal(3, "channel", "unknown channel fax")), result.refused());
        assertEquals(0, again.optedOut());
        String consents =
                text(tenant, "select consents::text from recipients where tenant = $1 and profile_id = 'p-1'");
        assertTrue(consents.contains("\"sender\": \"【蓝序】\"") && consents.contains("\"granted\": false"), consents);
        await().atMost(WAIT)
                .until(() -> FakeProfileService.CONSENTS.stream()
                        .anyMatch(c -> c.getProfile().getProfileId().equals("p-1")
                                && c.getSender().equals("【蓝序】")
                                && c.getSource().equals("reply:sms")));
        await().atMost(WAIT)
                .until(() -> text(tenant, "select count(*)::text from consent_updates where tenant = $1")
                        .equals("0"));
        assertEquals(
                1,
                FakeProfileService.CONSENTS.stream()
                        .filter(c -> c.getProfile().getProfileId().equals("p-1")
                                && c.getSender().equals("【蓝序】"))
                        .count());
    }

    @Test
    void tagUpdatesReachProfileServiceInOrderAndARefusedOneIsKeptWithItsReason() {
        String tenant = tenant();
        UUID instance = UUID.randomUUID();
        db.inTransaction(s -> {
            s.query(
                    "insert into tag_updates (tenant, profile_id, tag, value, instance_id) values"
                            + " ($1, 'p-1', 'coupon_sent', 'true', $2), ($1, 'p-2', 'unknown_tag', 'x', $2),"
                            + " ($1, 'p-1', 'coupon_sent', null, $2)",
                    Tuple.of(tenant, instance));
            return null;
        });

        await().atMost(WAIT)
                .until(() -> text(tenant, "select count(*)::text from tag_updates where tenant = $1")
                        .equals("1"));

        assertEquals(
                List.of(tenant + "/p-1/coupon_sent=true", tenant + "/p-1/coupon_sent=-"),
                FakeProfileService.TAGS.stream()
                        .filter(t -> t.startsWith(tenant + "/"))
                        .toList());
        String refused = text(tenant, "select refused from tag_updates where tenant = $1 and profile_id = 'p-2'");
        assertTrue(refused.startsWith("INVALID_ARGUMENT: ") && refused.contains("no tag unknown_tag"), refused);
    }

    private String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void sent(String tenant, String profile, String key, String providerId, String sender) {
        db.inTransaction(s -> s.query(
                "insert into send_ledger (send_key, tenant, profile_id, channel, template, sender, marketing, status,"
                        + " created_at, sent_at, provider_id) values ($1, $2, $3, 'sms', 'hello', $4, true, 'sent', now(),"
                        + " now(), $5)",
                Tuple.of(tenant + "/" + key, tenant, profile, sender, tenant + "/" + providerId)));
    }

    private String text(String tenant, String sql) {
        return db.query(sql, Tuple.of(tenant)).iterator().next().getString(0);
    }
}
