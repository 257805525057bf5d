package io.strata.testing;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * The spans the service under a {@code @QuarkusTest} finished, kept in memory. The service's
 * OpenTelemetry SDK exports to every {@link SpanExporter} bean; this one is a bean where the test
 * profile indexes this module and turns the SDK on:
 *
 * <pre>
 * %test.quarkus.otel.sdk.disabled=false
 * %test.quarkus.otel.exporter.otlp.enabled=false
 * %test.quarkus.otel.bsp.schedule.delay=20ms
 * %test.quarkus.index-dependency.strata-testing.group-id=io.strata
 * %test.quarkus.index-dependency.strata-testing.artifact-id=strata-testing
 * </pre>
 *
 * A test injects it and waits for its own spans (by trace id): the service's other tests add
 * theirs to the same store.
 */
@Singleton
public class RecordedSpans {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

    @Produces
    @Singleton
    SpanExporter exporter() {
        return exporter;
    }

    /** Every span finished so far. */
    public List<SpanData> all() {
        return exporter.getFinishedSpanItems();
    }

    /** The finished spans of one trace. */
    public List<SpanData> ofTrace(String traceId) {
        return all().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    }

    /** Waits up to {@code deadline} for a finished span that matches, and returns it. */
    public SpanData await(Predicate<SpanData> matching, Duration deadline) {
        return Awaitility.await()
                .atMost(deadline)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> all().stream().filter(matching).findFirst(), found -> found.isPresent())
                .orElseThrow();
    }
}
