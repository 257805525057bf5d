package io.strata.campaign.activation;

import static io.strata.campaign.repository.Db.instant;
import static io.strata.campaign.repository.Db.ts;

import io.micrometer.core.instrument.MeterRegistry;
import io.strata.campaign.repository.Db;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Delivers audience transitions to the destinations (webhooks). Each destination is its own queue,
 * worked by its own virtual thread: its deliveries go out in transition order, one at a time, each
 * signed ({@link Signatures}) and carrying its id as {@code Idempotency-Key}; a failure (a network
 * error, a timeout, any answer but 2xx) stops that destination's round and retries the same
 * delivery after a back-off that doubles up to an hour, and after {@code maxAttempts} it is failed
 * and the queue moves on. A failing destination holds up nobody else's queue. Replicas share the
 * queues: a round holds its destination's advisory lock, so one replica works a queue at a time and
 * its order holds; at most {@link #CONCURRENT} destinations are delivered at once per replica, each
 * round holding a database connection while it posts (20 s at most), and the others wait for the next
 * round.
 */
public final class Activation {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Activation.class);

    /** How long one round of a destination may go on before it commits what it delivered. */
    private static final Duration ROUND = Duration.ofSeconds(20);

    private final Db db;
    private final Clock clock;
    private final HttpClient http;
    private final Duration timeout;
    private final Duration backoff;
    private final int maxAttempts;
    private final int batch;
    private final Duration retention;
    private final boolean allowPrivate;
    private final MeterRegistry registry;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Boolean> running = new ConcurrentHashMap<>();
    /**
     * Destinations delivered at once by this replica: each holds a database connection for its round
     * (its rows locked while it posts), so a few slow destinations must not take the whole pool.
     */
    private final java.util.concurrent.Semaphore rounds = new java.util.concurrent.Semaphore(CONCURRENT);

    /** At most this many destinations at once per replica (the pool holds 10 connections). */
    static final int CONCURRENT = 3;

    private volatile Instant lastPurge = Instant.EPOCH;

    public Activation(
            Db db,
            Clock clock,
            Duration timeout,
            Duration backoff,
            int maxAttempts,
            int batch,
            Duration retention,
            boolean allowPrivate,
            MeterRegistry registry) {
        this.db = db;
        this.allowPrivate = allowPrivate;
        this.clock = clock;
        this.timeout = timeout;
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
        this.batch = batch;
        this.retention = retention;
        this.registry = registry;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * Starts a round for every destination with a queued delivery that has none running here; returns
     * how many it started. Once an hour, forgets the transitions that arrived longer ago than the
     * retention and wait for no destination.
     */
    public int round() {
        Instant now = clock.instant();
        if (Duration.between(lastPurge, now).toHours() >= 1) {
            lastPurge = now;
            db.inTransaction(s -> s.query(
                    "delete from audience_transitions t where t.created_at < $1 and not exists (select 1 from"
                            + " activation_deliveries a where a.transition_id = t.id and a.status = 'queued')",
                    Tuple.of(ts(now.minus(retention)))));
        }
        var due = new ArrayList<List<String>>();
        for (Row row : db.query(
                "select d.tenant, d.id from destinations d where d.enabled and exists (select 1 from"
                        + " activation_deliveries a where a.tenant = d.tenant and a.destination = d.id"
                        + " and a.status = 'queued')",
                Tuple.tuple())) {
            due.add(List.of(row.getString(0), row.getString(1)));
        }
        int started = 0;
        for (List<String> d : due) {
            String key = d.get(0) + "/" + d.get(1);
            if (running.putIfAbsent(key, true) == null) {
                started++;
                threads.submit(() -> {
                    try {
                        while (drain(d.get(0), d.get(1)) == batch) {
                            // a full batch: there may be more
                        }
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "destination %s: a round failed (rolled back, tried again)", key);
                    } finally {
                        running.remove(key);
                    }
                });
            }
        }
        return started;
    }

    public void stop() {
        threads.shutdownNow();
    }

    private record Head(long transitionId, int attempts, Instant nextAttempt, Payloads.Transition transition) {}

    /** One round of one destination's queue: the due head rows in order, until one fails. */
    int drain(String tenant, String destination) {
        if (!rounds.tryAcquire()) {
            return 0; // as many destinations as may hold a connection are being delivered: the next round
        }
        try {
            return drainHeld(tenant, destination);
        } finally {
            rounds.release();
        }
    }

    private int drainHeld(String tenant, String destination) {
        return db.inTransaction(s -> {
            // one replica works a destination's queue at a time, or its deliveries would overtake each other
            if (!s.query(
                            "select pg_try_advisory_xact_lock(hashtext('activation/' || $1 || '/' || $2))",
                            Tuple.of(tenant, destination))
                    .iterator()
                    .next()
                    .getBoolean(0)) {
                return 0;
            }
            var dest = s.query(
                            "select url, secret, format, enabled from destinations where tenant = $1 and id = $2",
                            Tuple.of(tenant, destination))
                    .iterator();
            if (!dest.hasNext()) {
                return 0;
            }
            Row d = dest.next();
            if (!d.getBoolean("enabled")) {
                return 0;
            }
            var heads = new ArrayList<Head>();
            for (Row row : s.query(
                    "select a.transition_id, a.attempts, a.next_attempt_at, t.audience, t.profile_id, t.entered, t.at,"
                            + " r.addresses ->> 'webhook' as user_id, r.addresses ->> 'email' as email"
                            + " from activation_deliveries a join audience_transitions t on t.id = a.transition_id"
                            + " left join recipients r on r.tenant = t.tenant and r.profile_id = t.profile_id"
                            + " where a.tenant = $1 and a.destination = $2 and a.status = 'queued'"
                            + " order by a.transition_id limit $3 for update of a skip locked",
                    Tuple.of(tenant, destination, batch))) {
                long id = row.getLong("transition_id");
                heads.add(new Head(
                        id,
                        row.getInteger("attempts"),
                        instant(row, "next_attempt_at"),
                        new Payloads.Transition(
                                destination + ":" + id,
                                tenant,
                                row.getString("audience"),
                                row.getString("profile_id"),
                                row.getBoolean("entered"),
                                instant(row, "at"),
                                Optional.ofNullable(row.getString("user_id")),
                                Optional.ofNullable(row.getString("email")))));
            }
            URI url = URI.create(d.getString("url"));
            String secret = d.getString("secret");
            String format = d.getString("format");
            var delivered = new ArrayList<Long>();
            int handled = 0;
            Instant began = clock.instant();
            for (Head h : heads) {
                Instant now = clock.instant();
                if (h.nextAttempt().isAfter(now)) {
                    break; // the head waits for its back-off: so does the rest, in order
                }
                if (Duration.between(began, now).compareTo(ROUND) > 0) {
                    break; // a slow destination: commit what it took, go on in the next round
                }
                Optional<String> error = post(url, secret, format, h.transition());
                if (error.isEmpty()) {
                    delivered.add(h.transitionId());
                    handled++;
                    continue;
                }
                int attempts = h.attempts() + 1;
                if (attempts >= maxAttempts) {
                    s.query(
                            "update activation_deliveries set status = 'failed', attempts = $4, last_error = $5"
                                    + " where tenant = $1 and destination = $2 and transition_id = $3",
                            Tuple.from(List.of(tenant, destination, h.transitionId(), attempts, error.get())));
                    registry.counter("strata_campaign_activation_total", "outcome", "failed")
                            .increment();
                    handled++;
                    continue; // given up: the queue moves on
                }
                long factor = 1L << Math.min(20, attempts - 1);
                Duration wait = backoff.multipliedBy(factor);
                if (wait.compareTo(Duration.ofHours(1)) > 0) {
                    wait = Duration.ofHours(1);
                }
                s.query(
                        "update activation_deliveries set attempts = $4, next_attempt_at = $5, last_error = $6"
                                + " where tenant = $1 and destination = $2 and transition_id = $3",
                        Tuple.from(List.of(
                                tenant, destination, h.transitionId(), attempts, ts(now.plus(wait)), error.get())));
                registry.counter("strata_campaign_activation_total", "outcome", "retried")
                        .increment();
                break;
            }
            if (!delivered.isEmpty()) {
                s.query(
                        "update activation_deliveries set status = 'delivered', delivered_at = now(), attempts ="
                                + " attempts + 1, last_error = null where tenant = $1 and destination = $2"
                                + " and transition_id = any($3)",
                        Tuple.of(tenant, destination, delivered.toArray(Long[]::new)));
                registry.counter("strata_campaign_activation_total", "outcome", "delivered")
                        .increment(delivered.size());
            }
            return handled == heads.size() ? heads.size() : 0;
        });
    }

    /** Empty when the destination took it (2xx), else what went wrong. */
    private Optional<String> post(URI url, String secret, String format, Payloads.Transition t) {
        Optional<String> refused = Destinations.refusedHost(url.getHost(), allowPrivate);
        if (refused.isPresent()) {
            return refused; // checked again at each delivery: a name may point elsewhere since it was set
        }
        String body = Payloads.body(format, t);
        long unix = clock.instant().getEpochSecond();
        var request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "strata-activation/1")
                .header("Idempotency-Key", t.deliveryId())
                .header(Signatures.HEADER, Signatures.sign(secret, unix, body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            int code =
                    http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return code >= 200 && code < 300 ? Optional.empty() : Optional.of("HTTP " + code);
        } catch (IOException e) {
            return Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }
}
