package io.strata.dedup.streams;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.strata.dedup.domain.Deduplicator;
import io.strata.dedup.domain.InvalidRecordException;
import io.strata.dedup.mapping.EventKeyMapper;
import io.strata.platform.kafka.DeadLetters;
import io.strata.platform.kafka.TraceHeaders;
import io.strata.platform.logging.LogSafe;
import java.time.Duration;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.jboss.logging.Logger;

/**
 * For each incoming record: an event seen for the first time within the window goes to the events
 * topic under its product key with its value bytes unchanged; a repeat is dropped; a record that
 * is not a routable event goes to the dead-letter topic as it came, with the reason.
 *
 * <p>Each record is handled in a span continuing the trace its producer sent with it; a forwarded
 * event carries that span's context on, so the trace goes on to profile-service.
 */
final class DedupProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = Logger.getLogger(DedupProcessor.class);
    private static final String SERVICE = "dedup-service";

    private final Duration window;
    private final DedupCounters counters;
    private final OpenTelemetry telemetry;
    private final Tracer tracer;
    private ProcessorContext<String, byte[]> context;
    private Deduplicator deduplicator;

    DedupProcessor(Duration window, DedupCounters counters, OpenTelemetry telemetry) {
        this.window = window;
        this.counters = counters;
        this.telemetry = telemetry;
        this.tracer = telemetry.getTracer("io.strata.dedup");
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        WindowStore<String, byte[]> store = context.getStateStore(DedupTopology.STORE);
        this.deduplicator = new Deduplicator(window, new WindowStoreSeenKeys(store));
    }

    @Override
    public void process(Record<String, byte[]> record) {
        Context parent = TraceHeaders.extract(telemetry, record.headers());
        Span span = tracer.spanBuilder("dedup")
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute("messaging.system", "kafka")
                .startSpan();
        try {
            String outcome =
                    handle(record, parent.with(span), span.getSpanContext().isValid());
            span.setAttribute("strata.dedup.outcome", outcome);
        } finally {
            span.end();
        }
    }

    private String handle(Record<String, byte[]> record, Context traced, boolean tracing) {
        String productKey;
        try {
            productKey = EventKeyMapper.productKey(record.key(), record.value());
        } catch (InvalidRecordException e) {
            deadLetter(record, e.getMessage());
            return "dead-letter";
        }
        if (!deduplicator.firstSighting(record.key(), record.timestamp())) {
            counters.duplicates.increment();
            return "duplicate";
        }
        Record<String, byte[]> out = record.withKey(productKey);
        if (tracing) {
            Headers headers = new RecordHeaders(record.headers().toArray());
            TraceHeaders.inject(telemetry, traced, headers);
            out = out.withHeaders(headers);
        }
        context.forward(out, DedupTopology.EVENTS);
        counters.forwarded.increment();
        return "forwarded";
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
