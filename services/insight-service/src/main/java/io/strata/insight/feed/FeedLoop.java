package io.strata.insight.feed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.insight.config.InsightConfig;
import io.strata.insight.feed.FeedMapper.Alias;
import io.strata.insight.feed.FeedMapper.Forget;
import io.strata.insight.store.EventStore;
import io.strata.platform.kafka.DeadLetterProducer;
import io.strata.platform.kafka.KafkaConnection;
import io.strata.platform.logging.LogSafe;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Reads the profile feed and the audience memberships into the store on one thread. The three
 * topics are keyed alike ({@code tenant/profileId}), so the range assignor gives a replica the same
 * partitions of each: partition N is one shard of the store.
 *
 * <ul>
 *   <li>{@code strata.profile-events.v1}: the store's offsets are the truth; an assigned partition
 *       is read from the offset its files reach, whatever the group committed.
 *   <li>{@code strata.profile-changes.v1}: merges and deletions take effect in the store's metadata
 *       at once (idempotent, so reading one again does no harm); the group's offsets say where to
 *       go on.
 *   <li>{@code strata.segment-membership.v1}: enters and exits, applied with the next flush (the
 *       latest of each audience and profile wins, so reading them again in order does no harm).
 * </ul>
 *
 * Staged events are flushed every {@code flush-every} or {@code flush-events}, and on a rebalance
 * before partitions go; the group's offsets of the three topics are committed after each flush. Every
 * {@code compact-every} the files of each tenant and partition are merged where there are at
 * least {@code compact-files}. Records that are no event or change go to the dead-letter topic
 * once.
 */
@ApplicationScoped
public class FeedLoop {

    private static final Logger LOG = Logger.getLogger(FeedLoop.class);

    private final InsightConfig config;
    private final EventStore store;
    private final DeadLetterProducer deadLetters;
    private final String bootstrapServers;
    private final Counter stored;
    private final Counter skipped;
    private final Counter changes;
    private final Counter rejected;
    private final Counter memberships;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile String problem = "starting";
    private int partitions;
    private Instant nextFlush = Instant.EPOCH;
    private Instant nextCompaction = Instant.EPOCH;
    private volatile long lag = -1;
    private volatile Instant lastFlush;

    public FeedLoop(
            InsightConfig config,
            EventStore store,
            DeadLetterProducer deadLetters,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            MeterRegistry registry) {
        this.config = config;
        this.store = store;
        this.deadLetters = deadLetters;
        this.bootstrapServers = bootstrapServers;
        this.stored = registry.counter("strata_insight_feed_records_total", "outcome", "stored");
        this.skipped = registry.counter("strata_insight_feed_records_total", "outcome", "skipped");
        this.changes = registry.counter("strata_insight_feed_records_total", "outcome", "change");
        this.rejected = registry.counter("strata_insight_feed_records_total", "outcome", "dead-lettered");
        this.memberships = registry.counter("strata_insight_feed_records_total", "outcome", "membership");
    }

    void start(@Observes StartupEvent event) {
        if (!config.feed().enabled()) {
            problem = "";
            return;
        }
        running = true;
        thread = new Thread(this::run, "insight-feed");
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
    }

    /**
     * Records of the assigned partitions not yet read, as of the last poll (-1 before the first poll
     * that knows every partition's end).
     */
    public long lag() {
        return lag;
    }

    /** When staged records were last written to the store (null: not yet). */
    public Instant lastFlush() {
        return lastFlush;
    }

    /** Empty while the loop reads the feed (or is off); what stopped it otherwise. */
    public String problem() {
        return problem;
    }

    private void run() {
        Map<String, Object> props = KafkaConnection.settings(bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.feed().group());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "insight-service-feed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        String events = config.feed().profileEventsTopic();
        String changesTopic = config.feed().profileChangesTopic();
        String membershipTopic = config.feed().membershipTopic();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            partitions = c.partitionsFor(events).size();
            c.subscribe(List.of(events, changesTopic, membershipTopic), new Rebalance(c, events));
            problem = "";
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (record.topic().equals(events)) {
                        event(record);
                    } else if (record.topic().equals(changesTopic)) {
                        change(record);
                    } else {
                        membership(record);
                    }
                }
                lag = lag(c);
                if (store.stagedCount() >= config.feed().flushEvents()
                        || Instant.now().isAfter(nextFlush)) {
                    flush(c);
                }
                if (Instant.now().isAfter(nextCompaction)) {
                    int merged = store.compact(config.feed().compactFiles());
                    if (merged > 0) {
                        LOG.debugf("merged %d files of the store", merged);
                    }
                    nextCompaction = Instant.now().plus(config.feed().compactEvery());
                }
            }
            flush(c);
        } catch (WakeupException e) {
            // stopping
        } catch (Exception e) {
            problem = "the feed stopped: " + e.getMessage();
            LOG.errorf(e, "the insight feed stopped");
        }
    }

    private void event(ConsumerRecord<String, byte[]> record) throws Exception {
        var event = FeedMapper.parseEventOrNull(record, this::reject);
        if (event == null) {
            store.skip(record.partition(), record.offset());
            return;
        }
        if (FeedMapper.keeps(event, record.partition(), partitions)
                && store.append(record.partition(), record.offset(), FeedMapper.row(event))) {
            stored.increment();
        } else {
            store.skip(record.partition(), record.offset());
            skipped.increment();
        }
    }

    private void change(ConsumerRecord<String, byte[]> record) throws Exception {
        var change = FeedMapper.parseChangeOrNull(record, this::reject);
        if (change == null) {
            return;
        }
        switch (FeedMapper.action(change, record.partition(), partitions)) {
            case Alias alias -> store.alias(alias.tenant(), alias.merged(), alias.survivor());
            case Forget forget -> store.forget(forget.tenant(), forget.profileId());
            default -> {}
        }
        changes.increment();
    }

    private void membership(ConsumerRecord<String, byte[]> record) {
        var membership = FeedMapper.membershipOrNull(record, this::reject);
        if (membership != null) {
            store.membership(membership);
            memberships.increment();
        }
    }

    private void reject(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf(
                "record %s-%d@%d is no feed record: %s",
                record.topic(), record.partition(), record.offset(), LogSafe.text(reason));
        rejected.increment();
        deadLetters.send(record, reason).toCompletableFuture().join();
    }

    private static long lag(KafkaConsumer<String, byte[]> c) {
        long total = 0;
        for (TopicPartition tp : c.assignment()) {
            var behind = c.currentLag(tp);
            if (behind.isEmpty()) {
                return -1;
            }
            total += behind.getAsLong();
        }
        return total;
    }

    /** Writes the staged events and memberships, then commits where the consumer is on each topic. */
    private void flush(KafkaConsumer<String, byte[]> c) throws Exception {
        store.flush();
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        for (TopicPartition tp : c.assignment()) {
            positions.put(tp, new OffsetAndMetadata(c.position(tp)));
        }
        if (!positions.isEmpty()) {
            c.commitSync(positions);
        }
        nextFlush = Instant.now().plus(config.feed().flushEvery());
        lastFlush = Instant.now();
    }

    /** Reads an assigned events partition from where the store's files reach; flushes before partitions go. */
    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> c;
        private final String events;

        Rebalance(KafkaConsumer<String, byte[]> c, String events) {
            this.c = c;
            this.events = events;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            try {
                flush(c);
            } catch (Exception e) {
                // the next owner reads again from the store's recorded offsets
                LOG.errorf("flushing before a rebalance failed: %s", e.getMessage());
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            for (TopicPartition tp : assigned) {
                if (tp.topic().equals(events)) {
                    c.seek(tp, store.nextOffset(tp.partition()));
                }
            }
        }
    }
}
