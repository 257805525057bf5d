package io.strata.segmentation.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.platform.kafka.DeadLetterProducer;
import io.strata.platform.kafka.KafkaConnection;
import io.strata.platform.logging.LogSafe;
import io.strata.platform.outbox.OutboxRelay;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.segmentation.config.SegmentationConfig;
import io.strata.segmentation.service.Engine;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The engine's one writing thread: reads the profile change feed ({@code strata.profile-changes.v1}
 * and {@code strata.profile-events.v1}, keyed alike, so partition N of both is one shard: the range
 * assignor gives a replica the same partitions of both), loads assigned partitions, applies records,
 * runs what calls asked of the engine, looks for new audience versions, and runs the scheduled
 * passes. The consumer's offsets are the engine's own (stored with the members); the group's
 * committed offsets follow them for lag monitoring only.
 *
 * <p>A write that fails (the database is away) reloads its partition: the engine's state returns
 * to what was stored, and the records are applied again.
 */
@ApplicationScoped
public class FeedLoop {

    private static final Logger LOG = Logger.getLogger(FeedLoop.class);
    /** The advisory lock of the membership outbox (a constant no other lock of the database uses). */
    private static final long OUTBOX_LOCK = 0x5354524154415345L;

    private final SegmentationConfig config;
    private final Engine engine;
    private final DeadLetterProducer deadLetters;
    private final String bootstrapServers;
    private final OutboxRelay relay;
    private final Counter applied;
    private final Counter rejected;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Map<Integer, Map<String, Long>> loading = new HashMap<>();
    private final Set<Integer> broken = new TreeSet<>();
    private final List<CompletableFuture<Void>> syncWaiters = new ArrayList<>();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile boolean healthy;
    private volatile String problem = "starting";
    private Instant nextReload = Instant.EPOCH;
    private Duration reloadBackoff = Duration.ofMillis(500);

    public FeedLoop(
            SegmentationConfig config,
            Engine engine,
            DeadLetterProducer deadLetters,
            Pool pool,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            MeterRegistry registry) {
        this.config = config;
        this.engine = engine;
        this.deadLetters = deadLetters;
        this.bootstrapServers = bootstrapServers;
        SegmentationConfig.Feed feed = config.feed();
        this.relay = new OutboxRelay(
                pool,
                new OutboxRelay.Settings(
                        "membership_outbox",
                        OUTBOX_LOCK,
                        "segmentation-service-membership",
                        feed.relayBatch(),
                        feed.relayIdle(),
                        feed.relayTimeout(),
                        "strata_segmentation_membership"),
                bootstrapServers,
                registry);
        this.applied = registry.counter("strata_segmentation_feed_records_total", "outcome", "applied");
        this.rejected = registry.counter("strata_segmentation_feed_records_total", "outcome", "dead-lettered");
        // held strongly: a gauge only weakly holding what it reads vanishes once that is collected
        // (the registry may outlive an application started again in the same JVM, as the tests do)
        Gauge.builder("strata_segmentation_partitions_live", engine, Engine::livePartitions)
                .strongReference(true)
                .register(registry);
        Gauge.builder("strata_segmentation_feed_lag_records", engine, e -> Math.max(0, e.lag()))
                .strongReference(true)
                .register(registry);
        Gauge.builder("strata_segmentation_engine_busy_seconds", engine, Engine::busySeconds)
                .strongReference(true)
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (config.feed().relayEnabled()) {
            relay.start();
            engine.afterWrite(relay::wake);
        }
        running = true;
        thread = new Thread(this::run, "segmentation-engine");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread loop = thread;
        if (loop != null) {
            try {
                loop.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        relay.stop();
    }

    /** Whether the loop's thread is there (false once it died of an error it could not handle). */
    public boolean alive() {
        Thread loop = thread;
        return !running || (loop != null && loop.isAlive());
    }

    /** Whether the loop runs and every partition it owns could be loaded. */
    public boolean healthy() {
        return running && healthy;
    }

    public String problem() {
        return problem;
    }

    /** Runs work on the engine's thread (a write beside the feed); completes with its result. */
    public <T> CompletableFuture<T> submit(Supplier<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                done.complete(work.get());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /**
     * Every partition this replica owns loads again from what was stored (as after a restart or a
     * failed write); completes when that started.
     */
    public CompletableFuture<Void> reload() {
        return submit(() -> {
            Set<Integer> owned = new TreeSet<>();
            consumer.assignment().forEach(tp -> owned.add(tp.partition()));
            try {
                engine.revoke(owned);
                load(owned);
            } catch (RuntimeException e) {
                // loaded again by the broken partitions' path, with its back-off
                broken.addAll(owned);
            }
            return null;
        });
    }

    /**
     * Writes the snapshot of every live partition this replica owns now; completes once they are
     * stored.
     */
    public CompletableFuture<Void> snapshot() {
        return submit(() -> engine.live().stream().map(engine::snapshot).toList())
                .thenCompose(stored -> CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)));
    }

    /** Look for new audience versions now; completes once they are applied on this replica. */
    public CompletableFuture<Void> sync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        tasks.add(() -> syncWaiters.add(done));
        return done;
    }

    private void run() {
        Duration backoff = Duration.ofSeconds(1);
        while (running) {
            try {
                engine.start();
                break;
            } catch (RuntimeException e) {
                problem = "cannot load the audiences: " + e.getMessage();
                LOG.errorf("the engine cannot start: %s", e.getMessage());
                sleep(backoff);
            }
        }
        Map<String, Object> props = KafkaConnection.settings(bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.feed().group());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "segmentation-service-feed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int)
                config.feed().sessionTimeout().toMillis());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int)
                Math.max(500, config.feed().sessionTimeout().toMillis() / 3));
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        String changes = config.feed().profileChangesTopic();
        String events = config.feed().profileEventsTopic();
        Instant nextSync = Instant.EPOCH;
        Instant nextPass = Instant.now().plus(config.reevaluateEvery());
        Instant nextLag = Instant.EPOCH;
        Instant nextSizes = Instant.now().plus(config.sizeHistoryEvery());
        Instant nextSnapshotLook = Instant.now();
        LocalDate today = engine.today();
        healthy = true;
        problem = "";
        try {
            consumer.subscribe(List.of(changes, events), new Rebalance());
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                handle(records);
                loadCaughtUp();
                reloadBroken();
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                Instant now = Instant.now();
                if (!syncWaiters.isEmpty() || now.isAfter(nextSync)) {
                    guarded("looking for new audience versions", engine::syncDefinitions);
                    syncWaiters.forEach(w -> w.complete(null));
                    syncWaiters.clear();
                    nextSync = now.plus(config.definitionsPoll());
                }
                if (!engine.today().equals(today)) {
                    today = engine.today();
                    guarded("rolling the windows", engine::roll);
                    nextPass = now.plus(config.reevaluateEvery());
                } else if (now.isAfter(nextPass)) {
                    guarded("the scheduled pass", engine::reevaluate);
                    nextPass = now.plus(config.reevaluateEvery());
                }
                if (now.isAfter(nextSnapshotLook)) {
                    // at most one partition's snapshot at a time, so the feed waits little for it
                    guarded("the snapshot", () -> engine.snapshotDue(config.snapshotEvery()));
                    nextSnapshotLook = now.plusSeconds(1);
                }
                if (now.isAfter(nextSizes) && loading.isEmpty()) {
                    // the sizes of every partition's members, once none of this replica's is loading
                    engine.recordSizes();
                    nextSizes = now.plus(config.sizeHistoryEvery());
                }
                if (now.isAfter(nextLag)) {
                    engine.reportLag(lag());
                    countPartitions(changes);
                    nextLag = now.plusSeconds(5);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            healthy = false;
            problem = "the engine stopped: " + e.getMessage();
            LOG.errorf(e, "the engine stopped");
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void guarded(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.errorf("%s failed (retried later): %s", what, e.getMessage());
        }
    }

    private void handle(ConsumerRecords<String, byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        Map<Integer, List<ConsumerRecord<String, byte[]>>> byPartition = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            byPartition.computeIfAbsent(tp.partition(), p -> new ArrayList<>()).addAll(records.records(tp));
        }
        byPartition.forEach(this::handle);
    }

    private void handle(int partition, List<ConsumerRecord<String, byte[]>> records) {
        if (broken.contains(partition)) {
            return;
        }
        Map<String, Long> targets = loading.get(partition);
        List<Object> parsed = new ArrayList<>(records.size());
        Map<String, Long> next = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            if (targets != null && record.offset() >= targets.getOrDefault(record.topic(), 0L)) {
                continue; // past what was stored: read again once the partition is live
            }
            next.merge(record.topic(), record.offset() + 1, Math::max);
            Object value = parse(record, targets == null);
            if (value != null) {
                parsed.add(value);
            }
        }
        try {
            if (targets != null) {
                engine.replay(partition, parsed);
            } else {
                engine.apply(partition, parsed, next);
                applied.increment(parsed.size());
                Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                next.forEach((topic, offset) ->
                        commit.put(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)));
                consumer.commitAsync(commit, null);
            }
        } catch (RuntimeException e) {
            LOG.errorf(
                    "partition %d: applying %d records failed, it reloads: %s",
                    partition, parsed.size(), e.getMessage());
            broken.add(partition);
        }
    }

    private Object parse(ConsumerRecord<String, byte[]> record, boolean live) {
        try {
            if (record.topic().equals(config.feed().profileChangesTopic())) {
                return ProfileChange.parseFrom(record.value());
            }
            return ProfileEvent.parseFrom(record.value());
        } catch (Exception e) {
            if (live) {
                // once: a record replayed while loading was dead-lettered when it first came
                rejected.increment();
                LOG.warnf(
                        "record %s-%d@%d is no feed record: %s",
                        record.topic(), record.partition(), record.offset(), LogSafe.text(e.getMessage()));
                deadLetters.send(record, "not a feed record: " + e.getMessage());
            }
            return null;
        }
    }

    /**
     * Partitions whose records up to the stored offsets are all applied go live. One whose stored
     * offsets lie beyond the end of its feed (the topic was made anew, or lost records) would never
     * get there: its stored state is forgotten and it loads from the feed's beginning.
     */
    private void loadCaughtUp() {
        boolean checkEnds = !loading.isEmpty() && Instant.now().isAfter(nextEndCheck);
        if (checkEnds) {
            nextEndCheck = Instant.now().plusSeconds(5);
        }
        for (Integer partition : new ArrayList<>(loading.keySet())) {
            Map<String, Long> targets = loading.get(partition);
            boolean caughtUp = true;
            List<TopicPartition> behind = new ArrayList<>();
            for (String topic : topics()) {
                TopicPartition tp = new TopicPartition(topic, partition);
                if (consumer.assignment().contains(tp) && consumer.position(tp) < targets.getOrDefault(topic, 0L)) {
                    caughtUp = false;
                    behind.add(tp);
                }
            }
            if (!caughtUp) {
                if (checkEnds) {
                    aheadOfFeed(partition, targets, behind);
                }
                continue;
            }
            try {
                engine.goLive(partition);
                for (String topic : topics()) {
                    TopicPartition tp = new TopicPartition(topic, partition);
                    if (consumer.assignment().contains(tp)) {
                        consumer.seek(tp, targets.getOrDefault(topic, 0L));
                    }
                }
                loading.remove(partition);
            } catch (RuntimeException e) {
                LOG.errorf("partition %d cannot go live, it reloads: %s", partition, LogSafe.text(e.getMessage()));
                broken.add(partition);
            }
        }
    }

    private Instant nextEndCheck = Instant.EPOCH;

    private void aheadOfFeed(int partition, Map<String, Long> targets, List<TopicPartition> behind) {
        Map<TopicPartition, Long> ends;
        try {
            ends = consumer.endOffsets(behind);
        } catch (RuntimeException e) {
            return; // asked again in a while
        }
        for (TopicPartition tp : behind) {
            Long end = ends.get(tp);
            long target = targets.getOrDefault(tp.topic(), 0L);
            if (end != null && end < target) {
                LOG.errorf(
                        "partition %d: the stored state covers %s up to offset %d, the feed ends at %d (made anew?):"
                                + " its stored members are forgotten and it loads from the feed's beginning",
                        partition, tp.topic(), target, end);
                try {
                    engine.discard(partition);
                    loading.remove(partition);
                    broken.add(partition);
                } catch (RuntimeException e) {
                    LOG.errorf(
                            "partition %d: forgetting its stored state failed: %s",
                            partition, LogSafe.text(e.getMessage()));
                }
                return;
            }
        }
    }

    /** Partitions whose write failed start loading again from what was stored. */
    private void reloadBroken() {
        if (broken.isEmpty()) {
            healthy = true;
            problem = "";
            reloadBackoff = Duration.ofMillis(500);
            return;
        }
        if (Instant.now().isBefore(nextReload)) {
            return;
        }
        // a write that keeps failing is tried again ever more slowly (up to 30 s), never skipped
        nextReload = Instant.now().plus(reloadBackoff);
        reloadBackoff = reloadBackoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
                ? Duration.ofSeconds(30)
                : reloadBackoff.multipliedBy(2);
        Set<Integer> retry = new HashSet<>(broken);
        healthy = false;
        problem = "partitions " + retry + " reload after a failed write";
        try {
            engine.revoke(retry);
            load(retry);
            broken.clear();
        } catch (RuntimeException e) {
            problem = "partitions " + retry + " cannot load: " + LogSafe.text(e.getMessage());
        }
    }

    private void load(Collection<Integer> partitions) {
        Map<Integer, Engine.Load> loads = engine.assign(partitions);
        List<TopicPartition> fromStart = new ArrayList<>();
        for (int partition : partitions) {
            Engine.Load load = loads.get(partition);
            for (String topic : topics()) {
                TopicPartition tp = new TopicPartition(topic, partition);
                if (!consumer.assignment().contains(tp)) {
                    continue;
                }
                Long from = load.from().get(topic);
                if (from == null) {
                    fromStart.add(tp);
                } else {
                    consumer.seek(tp, from);
                }
            }
            loading.put(partition, load.targets());
        }
        consumer.seekToBeginning(fromStart);
    }

    private List<String> topics() {
        return List.of(config.feed().profileChangesTopic(), config.feed().profileEventsTopic());
    }

    /** The feed's partitions, for the queries that find a profile's partition by its key. */
    private void countPartitions(String topic) {
        try {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                engine.feedPartitions(infos.size());
            }
        } catch (RuntimeException e) {
            LOG.debugf("the partitions of %s are not known yet: %s", topic, e.getMessage());
        }
    }

    private long lag() {
        try {
            Set<TopicPartition> assigned = consumer.assignment();
            long lag = 0;
            for (Map.Entry<TopicPartition, Long> end :
                    consumer.endOffsets(assigned).entrySet()) {
                lag += Math.max(0, end.getValue() - consumer.position(end.getKey()));
            }
            return lag;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            Set<Integer> numbers = new TreeSet<>();
            revoked.forEach(tp -> numbers.add(tp.partition()));
            engine.revoke(numbers);
            for (Integer number : numbers) {
                loading.remove(number);
                broken.remove(number);
            }
            LOG.infof("partitions %s revoked", numbers);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            Set<Integer> numbers = new TreeSet<>();
            assigned.forEach(tp -> numbers.add(tp.partition()));
            LOG.infof("partitions %s assigned: loading", numbers);
            try {
                load(numbers);
            } catch (RuntimeException e) {
                LOG.errorf("partitions %s cannot load yet: %s", numbers, e.getMessage());
                broken.addAll(numbers);
            }
        }
    }
}
