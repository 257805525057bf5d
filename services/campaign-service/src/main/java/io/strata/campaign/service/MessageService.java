package io.strata.campaign.service;

import static io.strata.campaign.repository.Db.ts;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.strata.campaign.delivery.ConsentEntry;
import io.strata.campaign.delivery.OptOutReplies;
import io.strata.campaign.domain.RecipientChange;
import io.strata.campaign.domain.RecipientState;
import io.strata.campaign.messaging.MessageEvents;
import io.strata.campaign.repository.CatalogRepository;
import io.strata.campaign.repository.Db;
import io.strata.campaign.repository.RuntimeRepository;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What comes back from the channels: delivery receipts (a message handed over reached the person or
 * not) and replies (an SMS T/TD/R/退订 opts the person out of marketing from the sender it answered,
 * at once here and, through the relay, in profile-service, which owns consent). Each call is one
 * transaction; rows with a fault are refused with their index and field, the others applied.
 */
@ApplicationScoped
public class MessageService {

    public static final int MAX_ROWS = 10_000;
    private static final Set<String> RECEIPTS = Set.of("delivered", "undelivered");

    /** A delivery receipt: by the send key (the idempotency key the provider got) or the provider's id. */
    public record Receipt(String sendKey, String providerId, String status, String detail, Instant at) {}

    /** A reply from {@code from} (the address on the channel) to a message of {@code sender}. */
    public record Reply(String channel, String from, String sender, String text, Instant at, String messageId) {}

    public record Refusal(int row, String field, String reason) {}

    public record ReceiptsResult(int applied, List<Refusal> refused) {}

    public record RepliesResult(int applied, int optedOut, int unknown, List<Refusal> refused) {}

    private final Db db;
    private final Clock clock;
    private final String messagesTopic;

    public MessageService(Db db, Clock clock, io.strata.campaign.config.CampaignConfig config) {
        this.db = db;
        this.clock = clock;
        this.messagesTopic = config.messagesTopic();
    }

    public Uni<ReceiptsResult> receipts(String tenant, List<Receipt> receipts) {
        return blocking(() -> db.inTransaction(s -> {
            var refused = new ArrayList<Refusal>();
            var events = new MessageEvents(messagesTopic);
            int applied = 0;
            for (int i = 0; i < receipts.size(); i++) {
                Receipt r = receipts.get(i);
                if (!RECEIPTS.contains(r.status())) {
                    refused.add(new Refusal(i, "status", "status is delivered or undelivered"));
                    continue;
                }
                if (r.sendKey().isBlank() == r.providerId().isBlank()) {
                    refused.add(new Refusal(i, "send_key", "give the send key or the provider's id, one of them"));
                    continue;
                }
                Instant at = r.at() == null ? clock.instant() : r.at();
                boolean byKey = !r.sendKey().isBlank();
                int n = 0;
                for (Row row : s.query(
                        "update send_ledger set receipt = $3, receipt_at = $4, receipt_detail = $5"
                                + " where tenant = $1 and "
                                + (byKey ? "send_key = $2" : "provider_id = $2")
                                + " and status in ('queued', 'sent')"
                                + " and (receipt_at is null or receipt_at <= $4) returning send_key, profile_id,"
                                + " journey_key, version, node, channel, template, sender, arm, marketing",
                        Tuple.of(
                                tenant,
                                byKey ? r.sendKey() : r.providerId(),
                                r.status(),
                                ts(at),
                                r.detail().isBlank() ? null : r.detail()))) {
                    n++;
                    events.add(
                            new MessageEvents.Message(
                                    tenant,
                                    row.getString("profile_id"),
                                    row.getString("send_key"),
                                    row.getString("journey_key"),
                                    row.getInteger("version") == null ? 0 : row.getInteger("version"),
                                    row.getString("node"),
                                    row.getString("channel"),
                                    row.getString("template"),
                                    row.getString("sender"),
                                    row.getString("arm"),
                                    row.getBoolean("marketing")),
                            r.status(),
                            null,
                            r.detail(),
                            at);
                }
                if (n == 0 && !known(s, tenant, byKey, byKey ? r.sendKey() : r.providerId())) {
                    refused.add(
                            new Refusal(i, byKey ? "send_key" : "provider_id", "no message handed over with this key"));
                    continue;
                }
                applied++;
            }
            events.write(s);
            return new ReceiptsResult(applied, refused);
        }));
    }

    private static boolean known(Db.Session s, String tenant, boolean byKey, String key) {
        return s.query(
                        "select 1 from send_ledger where tenant = $1 and " + (byKey ? "send_key" : "provider_id")
                                + " = $2 and status in ('queued', 'sent') limit 1",
                        Tuple.of(tenant, key))
                .iterator()
                .hasNext();
    }

    public Uni<RepliesResult> replies(String tenant, List<Reply> replies) {
        return blocking(() -> db.inTransaction(s -> {
            var refused = new ArrayList<Refusal>();
            int applied = 0;
            int optedOut = 0;
            int unknown = 0;
            for (int i = 0; i < replies.size(); i++) {
                Reply r = replies.get(i);
                if (!CatalogRepository.CHANNELS.contains(r.channel())) {
                    refused.add(new Refusal(i, "channel", "unknown channel " + r.channel()));
                    continue;
                }
                if (r.from().isBlank()) {
                    refused.add(new Refusal(i, "from", "from (the address replying) is required"));
                    continue;
                }
                if (r.text().length() > 2000) {
                    refused.add(new Refusal(i, "text", "text has at most 2,000 characters"));
                    continue;
                }
                Instant at = r.at() == null ? clock.instant() : r.at();
                String from = r.channel().equals("sms") ? phone(r.from()) : r.from();
                String messageId = r.messageId().isBlank() ? digest(r.channel(), from, at, r.text()) : r.messageId();
                var profiles = new ArrayList<String>();
                for (Row row : s.query(
                        "select profile_id from recipients where tenant = $1 and addresses @> $2 and not deleted"
                                + " order by profile_id",
                        Tuple.of(tenant, new JsonObject(Map.of(r.channel(), from))))) {
                    profiles.add(row.getString(0));
                }
                boolean optOut = OptOutReplies.optsOut(r.channel(), r.text()) && !profiles.isEmpty();
                String sender =
                        r.sender().isBlank() && optOut ? lastSender(s, tenant, r.channel(), profiles) : r.sender();
                String action = profiles.isEmpty() ? "unknown_address" : optOut ? "opted_out" : "none";
                boolean fresh = s.query(
                                        "insert into replies (tenant, channel, address, sender, text, at, message_id,"
                                                + " profile_ids, action) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                                                + " on conflict do nothing",
                                        Tuple.from(List.of(
                                                tenant,
                                                r.channel(),
                                                from,
                                                sender,
                                                r.text(),
                                                ts(at),
                                                messageId,
                                                profiles.toArray(String[]::new),
                                                action)))
                                .rowCount()
                        > 0;
                applied++;
                if (!fresh) {
                    continue; // the same reply again: done before
                }
                if (profiles.isEmpty()) {
                    unknown++;
                } else if (optOut) {
                    optOut(s, tenant, profiles, r.channel(), sender, at);
                    optedOut++;
                }
            }
            return new RepliesResult(applied, optedOut, unknown, refused);
        }));
    }

    /** The refusal takes effect here at once and is queued for profile-service. */
    private static void optOut(
            Db.Session s, String tenant, List<String> profiles, String channel, String sender, Instant at) {
        var entry = new ConsentEntry(channel, "marketing", sender, false, at);
        var change = new RecipientChange(0, false, Map.of(), Map.of(), Set.of(), List.of(entry), Map.of());
        var states = RuntimeRepository.lockRecipients(s, tenant, profiles, false);
        RuntimeRepository.saveRecipients(
                s, states.values().stream().map(st -> st.apply(change)).toList());
        var rows = new ArrayList<Tuple>();
        for (RecipientState st : states.values()) {
            rows.add(Tuple.from(List.of(tenant, st.profileId(), channel, sender, "reply:" + channel, ts(at))));
        }
        s.batch(
                "insert into consent_updates (tenant, profile_id, channel, purpose, sender, granted, source, at)"
                        + " values ($1, $2, $3, 'marketing', $4, false, $5, $6)",
                rows);
    }

    /**
     * A phone number as profile-service keeps it (so a reply finds the person): the digits, with a
     * leading '+' for international numbers; a bare 11-digit mainland mobile number gets +86.
     */
    static String phone(String value) {
        boolean international = value.startsWith("+") || value.startsWith("00");
        String digits = value.replaceAll("\\D", "");
        if (value.startsWith("00") && digits.length() > 2) {
            digits = digits.substring(2);
        }
        if (!international && digits.length() == 11 && digits.startsWith("1")) {
            return "+86" + digits;
        }
        return international ? "+" + digits : digits;
    }

    /** The sender of the last message of the channel handed over to any of the profiles ("" if none). */
    private static String lastSender(Db.Session s, String tenant, String channel, List<String> profiles) {
        for (Row row : s.query(
                "select sender from send_ledger where tenant = $1 and profile_id = any($2) and channel = $3"
                        + " and status = 'sent' order by sent_at desc limit 1",
                Tuple.of(tenant, profiles.toArray(String[]::new), channel))) {
            return row.getString(0);
        }
        return "";
    }

    private static String digest(String channel, String from, Instant at, String text) {
        try {
            var sha = MessageDigest.getInstance("SHA-256");
            sha.update((channel + "\n" + from + "\n" + at + "\n" + text).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> Uni<T> blocking(java.util.function.Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
