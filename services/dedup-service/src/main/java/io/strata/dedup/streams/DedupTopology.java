package io.strata.dedup.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.strata.dedup.config.DedupConfig;
import java.time.Duration;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The dedup stage: incoming topic → dedup processor (with its window store) → events topic, or the
 * dead-letter topic. Built here for the application and for tests alike.
 */
public final class DedupTopology {

    /**
     * The window: keys forwarded recently, in RocksDB, logged to the changelog topic
     * {@code <application.id>-dedup-window-changelog}.
     */
    public static final String STORE = "dedup-window";

    static final String SOURCE = "incoming";
    static final String PROCESSOR = "dedup";
    static final String EVENTS = "events";
    static final String DEAD_LETTERS = "dead-letters";

    private DedupTopology() {}

    public record Settings(String inputTopic, String outputTopic, String deadLetterTopic, Duration window) {

        public static Settings from(DedupConfig config) {
            return new Settings(config.inputTopic(), config.outputTopic(), config.deadLetterTopic(), config.window());
        }
    }

    public static Topology build(Settings settings, MeterRegistry registry, OpenTelemetry telemetry) {
        DedupCounters counters = new DedupCounters(registry);
        Topology topology = new Topology();
        topology.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), settings.inputTopic());
        topology.addProcessor(PROCESSOR, () -> new DedupProcessor(settings.window(), counters, telemetry), SOURCE);
        topology.addStateStore(windowStore(settings.window()), PROCESSOR);
        topology.addSink(EVENTS, settings.outputTopic(), new StringSerializer(), new ByteArraySerializer(), PROCESSOR);
        topology.addSink(
                DEAD_LETTERS, settings.deadLetterTopic(), new StringSerializer(), new ByteArraySerializer(), PROCESSOR);
        return topology;
    }

    /**
     * A persistent (RocksDB) window store whose retention is the window, logged to a changelog
     * topic (the default of store builders), so the window outlives restarts and moves with its
     * partition to another replica.
     */
    private static StoreBuilder<WindowStore<String, byte[]>> windowStore(Duration window) {
        return Stores.windowStoreBuilder(
                Stores.persistentWindowStore(STORE, window, window, false), Serdes.String(), Serdes.ByteArray());
    }
}
