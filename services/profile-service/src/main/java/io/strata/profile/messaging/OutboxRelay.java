package io.strata.profile.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.profile.config.ProfileConfig;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sends the change feed's records from the outbox ({@code profile_outbox}) to Kafka, in the order
 * they were written, and deletes them once Kafka has them: what a batch committed is announced even
 * if the process dies right after the commit, and nothing is announced of a batch that rolled back.
 *
 * <p>A round is one transaction on a thread of its own: take the outbox's transaction-scoped
 * advisory lock (so one replica relays at a time and the order holds), read the oldest rows (each
 * the records of one committed write, {@link OutboxRecords}), send their records (acks=all,
 * idempotent, in order per partition), wait for every ack, delete the rows, commit.
 * A crash or a failed send between the sends and the commit sends those records again: consumers
 * see a duplicate with the same identity, never a gap. Committed batches wake the relay; otherwise it
 * looks every {@code relay-idle}.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The advisory lock of the outbox (any constant the database's other locks do not use). */
    private static final long LOCK = 0x5354524154414f42L;

    private final Pool pool;
    private final ProfileConfig.Feed config;
    private final String bootstrapServers;
    private final Counter sent;
    private final Counter failures;
    private final AtomicLong pending = new AtomicLong();
    private volatile Producer<String, byte[]> producer;
    private volatile Thread thread;
    private volatile boolean running;

    public OutboxRelay(
            Pool pool,
            ProfileConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            MeterRegistry registry) {
        this.pool = pool;
        this.config = config.feed();
        this.bootstrapServers = bootstrapServers;
        this.sent = registry.counter("strata_profile_feed_records_total", "outcome", "sent");
        this.failures = registry.counter("strata_profile_feed_relay_failures_total");
        registry.gauge("strata_profile_feed_outbox_pending", pending);
    }

    void start(@Observes StartupEvent event) {
        if (!config.relayEnabled()) {
            LOG.info("the change feed's relay is off on this replica (strata.profile.feed.relay-enabled=false)");
            return;
        }
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "profile-service-feed");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        running = true;
        thread = new Thread(this::run, "profile-feed-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        Thread relay = thread;
        if (relay != null) {
            LockSupport.unpark(relay);
            try {
                relay.join(config.relayTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }

    /** A batch committed: look at the outbox now. */
    public void wake() {
        Thread relay = thread;
        if (relay != null) {
            LockSupport.unpark(relay);
        }
    }

    private void run() {
        Duration backoff = Duration.ofMillis(100);
        while (running) {
            try {
                int relayed = round();
                backoff = Duration.ofMillis(100);
                if (relayed < config.relayBatch()) {
                    LockSupport.parkNanos(config.relayIdle().toNanos());
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                failures.increment();
                LOG.errorf("relaying the change feed failed (the records stay in the outbox): %s", e.getMessage());
                LockSupport.parkNanos(backoff.toNanos());
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                        ? Duration.ofSeconds(5)
                        : backoff.multipliedBy(2);
            }
        }
    }

    /** One round; returns how many outbox rows it relayed (0 when another replica holds the outbox). */
    int round() {
        Duration timeout = config.relayTimeout();
        SqlConnection conn = pool.getConnection().await().atMost(timeout);
        try {
            Transaction tx = conn.begin().await().atMost(timeout);
            try {
                boolean mine = conn.preparedQuery("select pg_try_advisory_xact_lock($1)")
                        .execute(Tuple.of(LOCK))
                        .await()
                        .atMost(timeout)
                        .iterator()
                        .next()
                        .getBoolean(0);
                if (!mine) {
                    tx.rollback().await().atMost(timeout);
                    return 0;
                }
                List<Long> ids = new ArrayList<>();
                List<CompletableFuture<Void>> acks = new ArrayList<>();
                for (Row row : conn.preparedQuery("select id, payload from profile_outbox order by id limit $1")
                        .execute(Tuple.of(config.relayBatch()))
                        .await()
                        .atMost(timeout)) {
                    ids.add(row.getLong(0));
                    for (OutboxRecords.Entry entry :
                            OutboxRecords.decode(row.getBuffer(1).getBytes())) {
                        acks.add(send(entry.topic(), entry.key(), entry.payload()));
                    }
                }
                if (!ids.isEmpty()) {
                    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    conn.preparedQuery("delete from profile_outbox where id = any($1::bigint[])")
                            .execute(Tuple.of(ids.toArray(Long[]::new)))
                            .await()
                            .atMost(timeout);
                }
                tx.commit().await().atMost(timeout);
                sent.increment(acks.size());
                if (ids.size() < config.relayBatch()) {
                    pending.set(0);
                } else {
                    pending.set(estimatePending(timeout));
                }
                return ids.size();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Kafka did not take the records: " + e.getMessage(), e);
            } finally {
                if (tx != null) {
                    // after a commit this is a no-op; after a failure it releases the lock and keeps the records
                    tx.rollback().subscribe().with(x -> {}, x -> {});
                }
            }
        } finally {
            conn.close().subscribe().with(x -> {}, x -> {});
        }
    }

    private long estimatePending(Duration timeout) {
        Row row = pool.query("select coalesce(sum(records), 0) from profile_outbox")
                .execute()
                .await()
                .atMost(timeout)
                .iterator()
                .next();
        return row.getLong(0);
    }

    private CompletableFuture<Void> send(String topic, String key, byte[] payload) {
        CompletableFuture<Void> ack = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, key, payload), (metadata, error) -> {
            if (error == null) {
                ack.complete(null);
            } else {
                ack.completeExceptionally(error);
            }
        });
        return ack;
    }
}
