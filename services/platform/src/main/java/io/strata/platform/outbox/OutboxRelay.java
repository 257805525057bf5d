package io.strata.platform.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.strata.platform.kafka.KafkaConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Sends the records a service wrote to its outbox table (columns {@code id bigserial, payload bytea,
 * records int}, each row the {@link OutboxRecords} of one committed write) to Kafka, in the order
 * they were written, and deletes them once Kafka has them: what a write committed is announced even
 * if the process dies right after the commit, and nothing is announced of a write that rolled back.
 *
 * <p>A round is one transaction on a thread of its own: take the outbox's transaction-scoped
 * advisory lock (so one replica relays at a time and the order holds), read the oldest rows, send
 * their records (acks=all, idempotent, in order per partition), wait for every ack, delete the rows,
 * commit. A crash or a failed send between the sends and the commit sends those records again:
 * consumers see a duplicate with the same identity, never a gap. {@link #wake()} after a commit
 * makes the relay look at once; otherwise it looks every {@code idle}.
 *
 * <p>Metrics: {@code <prefix>_records_total{outcome="sent"}}, {@code <prefix>_relay_failures_total},
 * {@code <prefix>_outbox_pending}.
 */
public final class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    /**
     * @param table the outbox table
     * @param lock the advisory lock of that outbox (a constant no other lock of the database uses)
     * @param clientId the Kafka producer's client id, also the relay thread's name
     * @param batch rows sent per round
     * @param idle the pause of an idle relay
     * @param timeout how long a round may wait for the database or Kafka's acks
     * @param metrics the prefix of the relay's metrics
     */
    public record Settings(
            String table, long lock, String clientId, int batch, Duration idle, Duration timeout, String metrics) {}

    private final Pool pool;
    private final Settings settings;
    private final String bootstrapServers;
    private final Counter sent;
    private final Counter failures;
    private final AtomicLong pending = new AtomicLong();
    private volatile Producer<String, byte[]> producer;
    private volatile Thread thread;
    private volatile boolean running;

    public OutboxRelay(Pool pool, Settings settings, String bootstrapServers, MeterRegistry registry) {
        this.pool = pool;
        this.settings = settings;
        this.bootstrapServers = bootstrapServers;
        this.sent = registry.counter(settings.metrics() + "_records_total", "outcome", "sent");
        this.failures = registry.counter(settings.metrics() + "_relay_failures_total");
        registry.gauge(settings.metrics() + "_outbox_pending", pending);
    }

    /** Starts the relay's thread. */
    public void start() {
        Map<String, Object> props = KafkaConnection.settings(bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, settings.clientId());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        running = true;
        thread = new Thread(this::run, settings.clientId());
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread after its round and closes the producer. */
    public void stop() {
        running = false;
        Thread relay = thread;
        if (relay != null) {
            LockSupport.unpark(relay);
            try {
                relay.join(settings.timeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }

    /** A write committed: look at the outbox now. */
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
                if (relayed < settings.batch()) {
                    LockSupport.parkNanos(settings.idle().toNanos());
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                failures.increment();
                LOG.errorf("relaying %s failed (the records stay in the outbox): %s", settings.table(), e.getMessage());
                LockSupport.parkNanos(backoff.toNanos());
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                        ? Duration.ofSeconds(5)
                        : backoff.multipliedBy(2);
            }
        }
    }

    /** One round; returns how many outbox rows it relayed (0 when another replica holds the outbox). */
    int round() {
        Duration timeout = settings.timeout();
        SqlConnection conn = pool.getConnection().await().atMost(timeout);
        try {
            Transaction tx = conn.begin().await().atMost(timeout);
            try {
                boolean mine = conn.preparedQuery("select pg_try_advisory_xact_lock($1)")
                        .execute(Tuple.of(settings.lock()))
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
                for (Row row : conn.preparedQuery(
                                "select id, payload from " + settings.table() + " order by id limit $1")
                        .execute(Tuple.of(settings.batch()))
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
                    conn.preparedQuery("delete from " + settings.table() + " where id = any($1::bigint[])")
                            .execute(Tuple.of(ids.toArray(Long[]::new)))
                            .await()
                            .atMost(timeout);
                }
                tx.commit().await().atMost(timeout);
                sent.increment(acks.size());
                if (ids.size() < settings.batch()) {
                    pending.set(0);
                } else {
                    pending.set(estimatePending(timeout));
                }
                return ids.size();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException | TimeoutException e) {
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
        Row row = pool.query("select coalesce(sum(records), 0) from " + settings.table())
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
