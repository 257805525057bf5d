package io.strata.insight.feed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.insight.config.InsightConfig;
import io.strata.insight.feed.FeedMapper.Alias;
import io.strata.insight.feed.FeedMapper.Forget;
import io.strata.insight.feed.FeedMapper.Reassign;
import io.strata.insight.feed.FeedMapper.Restore;
import io.strata.insight.store.EventStore;
import io.strata.platform.kafka.DeadLetterProducer;
import io.strata.platform.kafka.KafkaConnection;
import io.strata.platform.logging.LogSafe;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
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
 *   <li>{@code strata.profile-events.v1}: an assigned partition is read from the offset its files
 *       reach.
 *   <li>{@code strata.profile-changes.v1}: merges and deletions take effect in the store's metadata
 *       at once (idempotent, so reading one again does no harm).
 *   <li>{@code strata.segment-membership.v1}: enters and exits, applied with the next flush (the
 *       latest of each audience and profile wins, so reading them again in order does no harm).
 * </ul>
 *
 * The store's positions on the three topics are the truth, whatever the group committed: a new
 * or restored store reads again what it lacks. A partition is read only once its topic's end is
 * known: a stored position beyond it means the topic was made anew, and the partition is read
 * from its beginning (else every record of the new topic would pass for one read before): the
 * events the store holds stay, its members from that partition are forgotten (segmentation-service
 * announces its audiences again into a topic made anew).
 *
 * <p>Staged events are flushed every {@code flush-every} or {@code flush-events}, and on a rebalance
 * before partitions go; the group's offsets of the three topics are committed after each flush
 * (for the lag tools; the loop does not read them). Every
 * {@code compact-every} the files of each tenant and partition are merged where there are at
 * least {@code compact-files}. Records that are no event or change go to the dead-letter topic
 * once. An events record with the bytes of one of the partition's last {@code repeat-window}
 * records is that record delivered again (the feed is at least once) and is not stored twice.
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
    private final Counter repeated;
    private final RepeatWindow repeats;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile String problem = "starting";
    private int partitions;
    private Instant nextFlush = Instant.EPOCH;
    private Instant nextCompaction = Instant.EPOCH;
    private volatile long lag = -1;
    private volatile Instant lastFlush;
    /** Assigned partitions not yet placed where the store is on them (paused until then). */
    private final Set<TopicPartition> unplaced = new HashSet<>();
    /** Assigned partitions read to their end at least once since they were assigned. */
    private final Set<TopicPartition> reached = new HashSet<>();
    /** Where each placed partition ended when it was placed: reached once read that far. */
    private final Map<TopicPartition, Long> ends = new HashMap<>();
    /** The partitions of each topic of the feed. */
    private final Map<String, Integer> topicPartitions = new HashMap<>();
    /** The shards this replica serves: see {@link #live()}. */
    private volatile Set<Integer> live = Set.of();

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
        this.repeated = registry.counter("strata_insight_feed_records_total", "outcome", "repeated");
        this.repeats = new RepeatWindow(config.feed().repeatWindow());
        registry.gauge(
                "strata_insight_partitions_live", this, loop -> loop.live().size());
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

    /**
     * The partitions (shards of the store) this replica serves: each of the three topics' partition
     * of that number is assigned here and was read to its end since, and written to the store.
     * Queries over several replicas count a shard only where it is live, so a partition that moved
     * is neither counted twice (the former owner's files stay) nor short (the new owner is reading it).
     */
    public Set<Integer> live() {
        return live;
    }

    /** The partitions of the events topic (0 until the loop has asked for them). */
    public int feedPartitions() {
        return partitions;
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
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int)
                config.feed().sessionTimeout().toMillis());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int)
                Math.max(500, config.feed().sessionTimeout().toMillis() / 3));
        String events = config.feed().profileEventsTopic();
        String changesTopic = config.feed().profileChangesTopic();
        String membershipTopic = config.feed().membershipTopic();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            for (String topic : List.of(events, changesTopic, membershipTopic)) {
                topicPartitions.put(topic, c.partitionsFor(topic).size());
            }
            partitions = topicPartitions.get(events);
            c.subscribe(List.of(events, changesTopic, membershipTopic), new Rebalance(c));
            problem = "";
            while (running) {
                place(c);
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
                reach(c);
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
        if (record.value() != null && repeats.repeated(record.partition(), record.value())) {
            store.skip(record.partition(), record.offset());
            repeated.increment();
            return;
        }
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
        if (change != null) {
            switch (FeedMapper.action(change, record.partition(), partitions)) {
                case Alias alias -> store.alias(alias.tenant(), alias.merged(), alias.survivor());
                case Forget forget -> store.forget(forget.tenant(), forget.profileId());
                case Restore restore ->
                    store.restore(
                            restore.tenant(),
                            restore.restored(),
                            restore.moved(),
                            restore.dropHere() ? record.partition() : -1);
                case Reassign reassign ->
                    store.reassign(
                            reassign.tenant(), reassign.from(), reassign.to(), reassign.moved(), record.partition());
                default -> {}
            }
            changes.increment();
        }
        store.read(record.topic(), record.partition(), record.offset());
    }

    private void membership(ConsumerRecord<String, byte[]> record) {
        var membership = FeedMapper.membershipOrNull(record, this::reject);
        if (membership != null) {
            store.membership(membership, record.topic(), record.partition(), record.offset());
            memberships.increment();
        } else {
            store.read(record.topic(), record.partition(), record.offset());
        }
    }

    /**
     * Seeks each newly assigned partition to where the store is on it and lets it be read. A stored
     * position beyond the topic's end means the topic was made anew: it is read from its beginning,
     * the store's events kept, its members of that partition forgotten. Partitions whose end cannot be
     * learnt now stay paused and are tried again before the next poll.
     */
    private void place(KafkaConsumer<String, byte[]> c) {
        unplaced.retainAll(c.assignment());
        if (unplaced.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> ends;
        Map<TopicPartition, Long> beginnings;
        try {
            ends = c.endOffsets(unplaced, Duration.ofSeconds(10));
            beginnings = c.beginningOffsets(unplaced, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warnf("the ends of partitions %s are unknown, asked again: %s", unplaced, LogSafe.text(e.getMessage()));
            return;
        }
        String events = config.feed().profileEventsTopic();
        String membershipTopic = config.feed().membershipTopic();
        Set<TopicPartition> placed = new HashSet<>();
        for (TopicPartition tp : unplaced) {
            boolean isEvents = tp.topic().equals(events);
            long stored = isEvents ? store.nextOffset(tp.partition()) : store.position(tp.topic(), tp.partition());
            long end = ends.getOrDefault(tp, 0L);
            try {
                if (stored > end) {
                    LOG.errorf(
                            "%s: the store has read up to offset %d, the topic ends at %d (made anew?):"
                                    + " it is read from its beginning%s",
                            tp,
                            stored,
                            end,
                            isEvents
                                    ? ", the events stored from it stay"
                                    : tp.topic().equals(membershipTopic)
                                            ? ", the members read from it are forgotten"
                                            : "");
                    if (isEvents) {
                        store.restartEvents(tp.partition());
                    } else if (tp.topic().equals(membershipTopic)) {
                        store.forgetMembers(tp.topic(), tp.partition());
                    } else {
                        store.forgetPosition(tp.topic(), tp.partition());
                    }
                    stored = 0;
                }
            } catch (Exception e) {
                LOG.errorf("%s: starting it anew failed, tried again: %s", tp, e.getMessage());
                continue;
            }
            long beginning = beginnings.getOrDefault(tp, 0L);
            if (stored < beginning) {
                LOG.warnf(
                        "%s: records from offset %d to %d are gone from the topic (its retention), the store lacks them",
                        tp, stored, beginning - 1);
                stored = beginning;
            }
            c.seek(tp, stored);
            this.ends.put(tp, end);
            placed.add(tp);
        }
        c.resume(placed);
        unplaced.removeAll(placed);
    }

    private void reject(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf(
                "record %s-%d@%d is no feed record: %s",
                record.topic(), record.partition(), record.offset(), LogSafe.text(reason));
        rejected.increment();
        deadLetters.send(record, reason).toCompletableFuture().join();
    }

    private long lag(KafkaConsumer<String, byte[]> c) {
        long total = 0;
        for (TopicPartition tp : c.assignment()) {
            var behind = c.currentLag(tp);
            if (behind.isPresent()) {
                total += behind.getAsLong();
            } else if (!reached.contains(tp)) {
                // unknown until a fetch names it; a partition read to its end and quiet since is not
                // named again (see reach)
                return -1;
            }
        }
        return total;
    }

    /**
     * Notes the assigned partitions read as far as they reached when they were placed. (Not by the
     * consumer's lag: a partition assigned again, with nothing new, may never be named in a fetch
     * response of the same fetch session, so its lag stays unknown.)
     */
    private void reach(KafkaConsumer<String, byte[]> c) {
        for (TopicPartition tp : c.assignment()) {
            if (!unplaced.contains(tp) && !reached.contains(tp)) {
                Long end = ends.get(tp);
                if (end != null && c.position(tp) >= end) {
                    reached.add(tp);
                }
            }
        }
    }

    /** The shards whose partitions of every topic are assigned here and were read to their end. */
    private Set<Integer> shardsLive() {
        Set<Integer> out = new TreeSet<>();
        for (int p = 0; p < partitions; p++) {
            boolean all = true;
            for (Map.Entry<String, Integer> topic : topicPartitions.entrySet()) {
                if (p < topic.getValue() && !reached.contains(new TopicPartition(topic.getKey(), p))) {
                    all = false;
                    break;
                }
            }
            if (all) {
                out.add(p);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** Writes the staged events and memberships, then commits where the consumer is on each topic. */
    private void flush(KafkaConsumer<String, byte[]> c) throws Exception {
        // what was read to its end before this flush is in the store once it returns
        Set<Integer> written = shardsLive();
        store.flush();
        live = written;
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        for (TopicPartition tp : c.assignment()) {
            if (!unplaced.contains(tp)) {
                positions.put(tp, new OffsetAndMetadata(c.position(tp)));
            }
        }
        if (!positions.isEmpty()) {
            try {
                c.commitSync(positions);
            } catch (CommitFailedException | RetriableCommitFailedException e) {
                // a rebalance is under way (the next poll joins it): the store holds its own positions
                // and is read from them wherever a partition lands, so the loop goes on
                LOG.infof("offsets not committed during a rebalance: %s", LogSafe.text(e.getMessage()));
            }
        }
        nextFlush = Instant.now().plus(config.feed().flushEvery());
        lastFlush = Instant.now();
    }

    /** Places assigned partitions where the store is on them; flushes before partitions go. */
    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> c;

        Rebalance(KafkaConsumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            repeats.clear();
            // served no more: whoever gets them answers for them once it has read them
            reached.removeAll(revoked);
            revoked.forEach(ends::remove);
            Set<Integer> still = new TreeSet<>(live);
            revoked.forEach(tp -> still.remove(tp.partition()));
            live = Collections.unmodifiableSet(still);
            try {
                flush(c);
            } catch (Exception e) {
                // the next owner reads again from the store's recorded offsets
                LOG.errorf("flushing before a rebalance failed: %s", e.getMessage());
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            repeats.clear();
            c.pause(assigned);
            unplaced.addAll(assigned);
            place(c);
        }
    }
}
