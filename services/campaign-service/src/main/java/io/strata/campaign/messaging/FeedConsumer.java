package io.strata.campaign.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.campaign.config.CampaignConfig;
import io.strata.campaign.mapping.FeedMapper;
import io.strata.campaign.service.JourneyRuntime;
import io.strata.campaign.service.Signal;
import io.strata.platform.kafka.DeadLetterProducer;
import io.strata.platform.kafka.KafkaConnection;
import io.strata.platform.logging.LogSafe;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads the membership, profile events and profile changes feeds with one consumer of
 * campaign-service's group and hands each poll's records, per tenant and in order, to the journey
 * runtime as one transaction; the offsets are committed after it. A record that cannot be read goes
 * to the dead-letter topic (stored before the commit). A failed transaction is tried again from the
 * same offsets, after a pause: every effect is idempotent (event ids, entry keys, profile versions).
 */
@ApplicationScoped
public class FeedConsumer {

    private static final Logger LOG = Logger.getLogger(FeedConsumer.class);
    /** Signals per transaction: a poll's records of one tenant are cut into chunks this long. */
    private static final int CHUNK = 500;

    private final CampaignConfig config;
    private final JourneyRuntime runtime;
    private final String bootstrapServers;
    private final MeterRegistry registry;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile DeadLetterProducer deadLetters;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile String problem = "starting";

    public FeedConsumer(
            CampaignConfig config,
            JourneyRuntime runtime,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            MeterRegistry registry) {
        this.config = config;
        this.runtime = runtime;
        this.bootstrapServers = bootstrapServers;
        this.registry = registry;
    }

    /** Empty when the consumer works; else what is wrong. */
    public Optional<String> problem() {
        return config.feed().enabled() ? Optional.ofNullable(problem) : Optional.empty();
    }

    void start(@Observes StartupEvent event) {
        if (!config.feed().enabled()) {
            return;
        }
        Map<String, Object> props = KafkaConnection.settings(bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.feed().group());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "campaign-service-feed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = new DeadLetterProducer(bootstrapServers, config.deadLetterTopic(), "campaign-service");
        running = true;
        thread = new Thread(this::run, "campaign-feed");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (deadLetters != null) {
            deadLetters.close();
        }
    }

    private void run() {
        var feed = config.feed();
        try {
            consumer.subscribe(List.of(feed.membershipTopic(), feed.profileEventsTopic(), feed.profileChangesTopic()));
            Duration backoff = Duration.ofMillis(200);
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    problem = null;
                    continue;
                }
                try {
                    apply(records);
                    problem = null;
                    backoff = Duration.ofMillis(200);
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    problem = "applying the feed fails: " + e.getMessage();
                    LOG.errorf(e, "applying %d feed records failed; trying them again in %s", records.count(), backoff);
                    rewind(records);
                    TimeUnit.MILLISECONDS.sleep(backoff.toMillis());
                    backoff = backoff.compareTo(Duration.ofSeconds(5)) >= 0 ? backoff : backoff.multipliedBy(2);
                    continue;
                }
                try {
                    consumer.commitSync(next(records));
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    // e.g. a rebalance under way (the next poll joins it): whoever owns the partitions
                    // then reads these records again, and the runtime applies them idempotently
                    // (entries by key, events by message id, changes by version)
                    LOG.infof("offsets not committed, the records may be read again: %s", LogSafe.text(e.getMessage()));
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void apply(ConsumerRecords<String, byte[]> records) {
        var byTenant = new LinkedHashMap<String, List<Signal>>();
        var letters = new ArrayList<java.util.concurrent.CompletableFuture<Void>>();
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                FeedMapper.Mapped m;
                var feed = config.feed();
                if (r.topic().equals(feed.membershipTopic())) {
                    m = FeedMapper.membership(r.value());
                } else if (r.topic().equals(feed.profileEventsTopic())) {
                    m = FeedMapper.profileEvent(r.value());
                } else {
                    m = FeedMapper.profileChange(r.value());
                }
                m.signal()
                        .ifPresent(s -> byTenant.computeIfAbsent(m.tenant(), t -> new ArrayList<>())
                                .add(s));
            } catch (com.google.protobuf.InvalidProtocolBufferException | RuntimeException e) {
                LOG.warnf(
                        "a record of %s is not readable (%s): to the dead letters",
                        r.topic(), LogSafe.text(e.getMessage()));
                letters.add(deadLetters.send(r, "unreadable: " + e.getMessage()).toCompletableFuture());
            }
        }
        for (var tenant : byTenant.entrySet()) {
            var signals = tenant.getValue();
            for (int i = 0; i < signals.size(); i += CHUNK) {
                runtime.handle(tenant.getKey(), signals.subList(i, Math.min(signals.size(), i + CHUNK)));
            }
        }
        letters.forEach(java.util.concurrent.CompletableFuture::join);
        registry.counter("strata_campaign_feed_records_total").increment(records.count());
    }

    private static Map<TopicPartition, OffsetAndMetadata> next(ConsumerRecords<String, byte[]> records) {
        var out = new HashMap<TopicPartition, OffsetAndMetadata>();
        for (TopicPartition tp : records.partitions()) {
            var list = records.records(tp);
            out.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return out;
    }

    private void rewind(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
    }
}
