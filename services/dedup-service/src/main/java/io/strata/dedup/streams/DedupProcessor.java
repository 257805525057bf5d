package io.strata.dedup.streams;

import io.strata.dedup.domain.Deduplicator;
import io.strata.dedup.domain.InvalidRecordException;
import io.strata.dedup.mapping.EventKeyMapper;
import io.strata.platform.kafka.DeadLetters;
import io.strata.platform.logging.LogSafe;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.jboss.logging.Logger;

/**
 * For each incoming record: an event seen for the first time within the window goes to the events
 * topic under its product key with its value bytes unchanged; a repeat is dropped; a record that
 * is not a routable event goes to the dead-letter topic as it came, with the reason.
 */
final class DedupProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = Logger.getLogger(DedupProcessor.class);
    private static final String SERVICE = "dedup-service";

    private final Duration window;
    private final DedupCounters counters;
    private ProcessorContext<String, byte[]> context;
    private Deduplicator deduplicator;

    DedupProcessor(Duration window, DedupCounters counters) {
        this.window = window;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        WindowStore<String, byte[]> store = context.getStateStore(DedupTopology.STORE);
        this.deduplicator = new Deduplicator(window, new WindowStoreSeenKeys(store));
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String productKey;
        try {
            productKey = EventKeyMapper.productKey(record.key(), record.value());
        } catch (InvalidRecordException e) {
            deadLetter(record, e.getMessage());
            return;
        }
        if (deduplicator.firstSighting(record.key(), record.timestamp())) {
            context.forward(record.withKey(productKey), DedupTopology.EVENTS);
            counters.forwarded.increment();
        } else {
            counters.duplicates.increment();
        }
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        String origin = context.recordMetadata()
                .map(m -> DeadLetters.origin(m.topic(), m.partition(), m.offset()))
                .orElse("unknown");
        LOG.warnf("record %s cannot be forwarded: %s", origin, LogSafe.text(reason));
        // inside the stage's transaction: a dead letter is written once with the input's offset
        context.forward(
                record.withHeaders(DeadLetters.headers(record.headers(), SERVICE, reason, origin)),
                DedupTopology.DEAD_LETTERS);
        counters.deadLetters.increment();
    }
}
