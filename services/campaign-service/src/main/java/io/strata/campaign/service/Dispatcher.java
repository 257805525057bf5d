package io.strata.campaign.service;

import static io.strata.campaign.repository.Db.ts;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.MeterRegistry;
import io.strata.campaign.channel.ChannelAdapter;
import io.strata.campaign.messaging.MessageEvents;
import io.strata.campaign.repository.Db;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Hands queued messages of the send ledger to their channels. A round claims the oldest due rows
 * with {@code FOR UPDATE SKIP LOCKED} (so replicas never hand over the same row at once), drops
 * those of a person deleted or suppressed since the step, takes a token per message from the
 * channel's rate limit, calls the channel's adapter with the send keys and records each answer in
 * the same transaction: sent, retried later with back-off, or failed.
 */
public final class Dispatcher {

    private final Db db;
    private final Function<String, ChannelAdapter> adapters;
    private final Clock clock;
    private final int ratePerSecond;
    private final int maxAttempts;
    private final String messagesTopic;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    public Dispatcher(
            Db db,
            Function<String, ChannelAdapter> adapters,
            Clock clock,
            int ratePerSecond,
            int maxAttempts,
            String messagesTopic,
            MeterRegistry registry) {
        this.messagesTopic = messagesTopic;
        this.db = db;
        this.adapters = adapters;
        this.clock = clock;
        this.ratePerSecond = ratePerSecond;
        this.maxAttempts = maxAttempts;
        this.registry = registry;
    }

    private record Queued(
            String sendKey,
            String tenant,
            String profileId,
            String channel,
            String template,
            String body,
            String sender,
            int attempts,
            boolean gone,
            Optional<String> address,
            MessageEvents.Message message) {}

    /** One round; returns how many messages it looked at. */
    public int round(int batch) {
        Instant now = clock.instant();
        return db.inTransaction(s -> {
            var queued = new ArrayList<Queued>();
            for (Row row : s.query(
                    "select l.send_key, l.tenant, l.profile_id, l.channel, l.template, coalesce(t.body, '') as body,"
                            + " l.sender, l.attempts, coalesce(r.deleted or r.suppressed, false) as gone,"
                            + " l.journey_key, l.version, l.node, l.arm, l.marketing,"
                            + " r.addresses ->> l.channel as address from send_ledger l left join recipients r"
                            + " on r.tenant = l.tenant and r.profile_id = l.profile_id left join templates t"
                            + " on t.tenant = l.tenant and t.channel = l.channel and t.template = l.template where l.status = 'queued' and l.next_attempt_at <= $1"
                            + " order by l.next_attempt_at limit $2 for update of l skip locked",
                    Tuple.of(ts(now), batch))) {
                queued.add(new Queued(
                        row.getString("send_key"),
                        row.getString("tenant"),
                        row.getString("profile_id"),
                        row.getString("channel"),
                        row.getString("template"),
                        row.getString("body"),
                        row.getString("sender"),
                        row.getInteger("attempts"),
                        row.getBoolean("gone"),
                        Optional.ofNullable(row.getString("address")),
                        new MessageEvents.Message(
                                row.getString("tenant"),
                                row.getString("profile_id"),
                                row.getString("send_key"),
                                row.getString("journey_key"),
                                row.getInteger("version") == null ? 0 : row.getInteger("version"),
                                row.getString("node"),
                                row.getString("channel"),
                                row.getString("template"),
                                row.getString("sender"),
                                row.getString("arm"),
                                row.getBoolean("marketing"))));
            }
            if (queued.isEmpty()) {
                return 0;
            }
            var sent = new ArrayList<Tuple>();
            var retry = new ArrayList<Tuple>();
            var failed = new ArrayList<Tuple>();
            var events = new MessageEvents(messagesTopic);
            var byChannel = new LinkedHashMap<String, List<Queued>>();
            for (Queued q : queued) {
                if (q.gone()) {
                    failed.add(Tuple.of(q.sendKey(), "suppressed", "deleted", "the person was deleted or suppressed"));
                    events.add(q.message(), "suppressed", "deleted", "the person was deleted or suppressed", now);
                } else {
                    byChannel
                            .computeIfAbsent(q.channel(), c -> new ArrayList<>())
                            .add(q);
                }
            }
            for (var channel : byChannel.entrySet()) {
                var messages = channel.getValue();
                Bucket bucket = bucket(channel.getKey());
                for (int left = messages.size(); left > 0; left -= ratePerSecond) {
                    bucket.asBlocking().consumeUninterruptibly(Math.min(left, ratePerSecond));
                }
                ChannelAdapter adapter = adapters.apply(channel.getKey());
                List<ChannelAdapter.Result> results = adapter.send(messages.stream()
                        .map(q -> new ChannelAdapter.Message(
                                q.sendKey(),
                                q.tenant(),
                                q.profileId(),
                                q.channel(),
                                q.template(),
                                q.body(),
                                q.sender(),
                                q.address(),
                                Map.of()))
                        .toList());
                for (int i = 0; i < messages.size(); i++) {
                    Queued q = messages.get(i);
                    switch (results.get(i)) {
                        case ChannelAdapter.Result.Accepted a -> {
                            sent.add(Tuple.of(q.sendKey(), ts(now), a.providerId()));
                            events.add(q.message(), "sent", null, a.providerId(), now);
                        }
                        case ChannelAdapter.Result.Rejected r -> {
                            failed.add(Tuple.of(q.sendKey(), "failed", "rejected", r.reason()));
                            events.add(q.message(), "failed", "rejected", r.reason(), now);
                        }
                        case ChannelAdapter.Result.Failed f -> {
                            if (q.attempts() + 1 >= maxAttempts) {
                                failed.add(Tuple.of(q.sendKey(), "failed", "provider", f.reason()));
                                events.add(q.message(), "failed", "provider", f.reason(), now);
                            } else {
                                Duration backoff =
                                        Duration.ofSeconds(Math.min(3600, 1L << Math.min(12, q.attempts() + 1)));
                                retry.add(Tuple.of(q.sendKey(), ts(now.plus(backoff)), f.reason()));
                            }
                        }
                    }
                }
                registry.counter("strata_campaign_dispatched_total", "channel", channel.getKey())
                        .increment(messages.size());
            }
            s.batch(
                    "update send_ledger set status = 'sent', sent_at = $2, provider_id = $3, attempts = attempts + 1,"
                            + " next_attempt_at = null where send_key = $1",
                    sent);
            s.batch(
                    "update send_ledger set attempts = attempts + 1, next_attempt_at = $2, detail = $3 where send_key = $1",
                    retry);
            s.batch(
                    "update send_ledger set status = $2, reason = $3, detail = $4, attempts = attempts + 1,"
                            + " next_attempt_at = null where send_key = $1",
                    failed);
            events.write(s);
            return queued.size();
        });
    }

    private Bucket bucket(String channel) {
        return buckets.computeIfAbsent(
                channel,
                c -> Bucket.builder()
                        .addLimit(Bandwidth.builder()
                                .capacity(ratePerSecond)
                                .refillGreedy(ratePerSecond, Duration.ofSeconds(1))
                                .build())
                        .build());
    }
}
