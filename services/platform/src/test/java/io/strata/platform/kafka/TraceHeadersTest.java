package io.strata.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TraceHeadersTest {

    private final OpenTelemetry telemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();

    @Test
    void aSpanWrittenIntoHeadersIsReadBackAsTheParent() {
        Span span = telemetry.getTracer("test").spanBuilder("publish").startSpan();
        RecordHeaders headers = new RecordHeaders();
        headers.add("strata-other", "kept".getBytes(StandardCharsets.UTF_8));

        TraceHeaders.inject(telemetry, Context.root().with(span), headers);
        SpanContext read =
                Span.fromContext(TraceHeaders.extract(telemetry, headers)).getSpanContext();

        assertEquals(span.getSpanContext().getTraceId(), read.getTraceId());
        assertEquals(span.getSpanContext().getSpanId(), read.getSpanId());
        assertEquals("kept", new String(headers.lastHeader("strata-other").value(), StandardCharsets.UTF_8));
    }

    @Test
    void aForwardingStageReplacesTheContextItCameWith() {
        Span first = telemetry.getTracer("test").spanBuilder("publish").startSpan();
        Span next = telemetry
                .getTracer("test")
                .spanBuilder("forward")
                .setParent(Context.root().with(first))
                .startSpan();
        RecordHeaders headers = new RecordHeaders();

        TraceHeaders.inject(telemetry, Context.root().with(first), headers);
        TraceHeaders.inject(telemetry, Context.root().with(next), headers);

        assertEquals(1, headers.toArray().length, "one traceparent, not two");
        assertEquals(
                next.getSpanContext().getSpanId(),
                Span.fromContext(TraceHeaders.extract(telemetry, headers))
                        .getSpanContext()
                        .getSpanId());
    }

    @Test
    void withoutTheSdkNothingIsWrittenAndNothingIsRead() {
        RecordHeaders headers = new RecordHeaders();
        Span span = telemetry.getTracer("test").spanBuilder("publish").startSpan();

        TraceHeaders.inject(OpenTelemetry.noop(), Context.root().with(span), headers);

        assertNull(headers.lastHeader("traceparent"));
        TraceHeaders.inject(telemetry, Context.root().with(span), headers);
        assertFalse(Span.fromContext(TraceHeaders.extract(OpenTelemetry.noop(), headers))
                .getSpanContext()
                .isValid());
    }
}
