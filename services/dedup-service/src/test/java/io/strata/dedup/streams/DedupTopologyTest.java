package io.strata.dedup.streams;

import static io.strata.dedup.TestEvents.incomingKey;
import static io.strata.dedup.TestEvents.track;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.strata.platform.kafka.TraceHeaders;
import io.strata.proto.events.v1.Event;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology the service runs, driven without a broker. Restarts are covered by
 * {@code DedupRestartTest} against a real broker: closing a TopologyTestDriver deletes its task
 * directories, and the driver never restores stores from their changelog.
 */
class DedupTopologyTest {

    private static final String INPUT = "strata.events.incoming.v1";
    private static final String OUTPUT = "strata.events.v1";
    private static final String DLQ = "strata.events.dlq.v1";
    private static final Duration WINDOW = Duration.ofHours(24);
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("strata.dedup.outcome");
    private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");

    @TempDir
    Path stateDir;

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetry telemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    private SimpleMeterRegistry registry;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> incoming;
    private TestOutputTopic<String, byte[]> events;
    private TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void start() {
        registry = new SimpleMeterRegistry();
        var settings = new DedupTopology.Settings(INPUT, OUTPUT, DLQ, WINDOW);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "strata-dedup");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(DedupTopology.build(settings, registry, telemetry), props);
        incoming = driver.createInputTopic(INPUT, new StringSerializer(), new ByteArraySerializer());
        events = driver.createOutputTopic(OUTPUT, new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(DLQ, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aFirstSightingIsForwardedUnderItsProductKeyWithTheSameBytes() {
        Event event = track("acme", "src-1", "m-1", "u-1", "a-1");
        byte[] bytes = event.toByteArray();
        incoming.pipeInput(incomingKey(event), bytes, T0);

        TestRecord<String, byte[]> out = events.readRecord();
        assertEquals("acme/u-1", out.key());
        assertArrayEquals(bytes, out.value());
        assertEquals(T0, out.getRecordTime(), "the record keeps its time");
        assertTrue(events.isEmpty());
        assertCounts(1, 0, 0);
    }

    @Test
    void aForwardedEventCarriesTheTraceOnUnderTheDedupSpan() {
        Span publish = telemetry.getTracer("test").spanBuilder("publish").startSpan();
        RecordHeaders headers = new RecordHeaders();
        headers.add("strata-kept", new byte[] {1});
        TraceHeaders.inject(telemetry, Context.root().with(publish), headers);
        Event event = track("acme", "src-1", "m-1", "u-1", "");
        incoming.pipeInput(new TestRecord<>(incomingKey(event), event.toByteArray(), headers, T0));
        incoming.pipeInput(new TestRecord<>(incomingKey(event), event.toByteArray(), headers, T0.plusSeconds(1)));

        TestRecord<String, byte[]> out = events.readRecord();
        List<SpanData> dedup = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("dedup"))
                .toList();
        assertEquals(2, dedup.size(), "a span for the event and one for its repeat");
        SpanData forwarded = dedup.get(0);
        assertEquals(publish.getSpanContext().getTraceId(), forwarded.getTraceId());
        assertEquals(publish.getSpanContext().getSpanId(), forwarded.getParentSpanId());
        assertEquals("forwarded", forwarded.getAttributes().get(OUTCOME));
        assertEquals("duplicate", dedup.get(1).getAttributes().get(OUTCOME));
        SpanContext carried =
                Span.fromContext(TraceHeaders.extract(telemetry, out.headers())).getSpanContext();
        assertEquals(forwarded.getSpanId(), carried.getSpanId(), "profile-service continues under the dedup span");
        assertEquals(
                1,
                java.util.stream.StreamSupport.stream(
                                out.headers().headers("traceparent").spliterator(), false)
                        .count(),
                "the context is replaced, not added to");
        assertArrayEquals(
                new byte[] {1}, out.headers().lastHeader("strata-kept").value());
    }

    @Test
    void aRepeatWithinTheWindowIsDropped() {
        Event event = track("acme", "src-1", "m-1", "u-1", "");
        incoming.pipeInput(incomingKey(event), event.toByteArray(), T0);
        incoming.pipeInput(incomingKey(event), event.toByteArray(), T0.plusSeconds(5));
        incoming.pipeInput(
                incomingKey(event), event.toByteArray(), T0.plus(WINDOW).minusMillis(1));

        assertEquals(1, events.readRecordsToList().size());
        assertTrue(deadLetters.isEmpty());
        assertCounts(1, 2, 0);
    }

    @Test
    void twoCopiesAtTheSameTimeGiveOne() {
        Event event = track("acme", "src-1", "m-1", "u-1", "");
        incoming.pipeInput(incomingKey(event), event.toByteArray(), T0);
        incoming.pipeInput(incomingKey(event), event.toByteArray(), T0);

        assertEquals(1, events.readRecordsToList().size());
        assertCounts(1, 1, 0);
    }

    @Test
    void theSameMessageIdFromAnotherSourceIsAnotherEvent() {
        Event fromApp = track("acme", "src-app", "m-1", "u-1", "");
        Event fromStore = track("acme", "src-store", "m-1", "u-1", "");
        incoming.pipeInput(incomingKey(fromApp), fromApp.toByteArray(), T0);
        incoming.pipeInput(incomingKey(fromStore), fromStore.toByteArray(), T0.plusMillis(1));

        List<TestRecord<String, byte[]>> out = events.readRecordsToList();
        assertEquals(2, out.size());
        assertArrayEquals(fromApp.toByteArray(), out.get(0).value());
        assertArrayEquals(fromStore.toByteArray(), out.get(1).value());
        assertCounts(2, 0, 0);
    }

    @Test
    void aRepeatAfterTheWindowIsForwardedAgain() {
        Event event = track("acme", "src-1", "m-1", "u-1", "");
        incoming.pipeInput(incomingKey(event), event.toByteArray(), T0);
        incoming.pipeInput(incomingKey(event), event.toByteArray(), T0.plus(Duration.ofHours(12)));
        incoming.pipeInput(incomingKey(event), event.toByteArray(), T0.plus(WINDOW));
        incoming.pipeInput(
                incomingKey(event), event.toByteArray(), T0.plus(WINDOW).plus(Duration.ofHours(1)));

        List<TestRecord<String, byte[]>> out = events.readRecordsToList();
        assertEquals(
                List.of(T0, T0.plus(WINDOW)),
                out.stream().map(TestRecord::getRecordTime).toList(),
                "the window runs from the forwarded copy; a dropped repeat does not extend it");
        assertCounts(2, 2, 0);
    }

    @Test
    void aRepeatStampedByAClockThatRunsBehindIsDropped() {
        Event event = track("acme", "src-1", "m-1", "u-1", "");
        incoming.pipeInput(incomingKey(event), event.toByteArray(), T0);
        incoming.pipeInput(incomingKey(event), event.toByteArray(), T0.minusSeconds(2));

        assertEquals(1, events.readRecordsToList().size());
        assertCounts(1, 1, 0);
    }

    @Test
    void anEventWithoutUserIdIsKeyedByItsAnonymousId() {
        Event event = track("acme", "src-1", "m-1", "", "a-1");
        incoming.pipeInput(incomingKey(event), event.toByteArray(), T0);

        assertEquals("acme/a-1", events.readRecord().key());
    }

    @Test
    void aValueThatIsNotAnEventGoesToTheDeadLetterTopicAsItCame() {
        byte[] junk = "not an event".getBytes(StandardCharsets.UTF_8);
        incoming.pipeInput("src-1/m-1", junk, T0);

        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertEquals("src-1/m-1", dead.key());
        assertArrayEquals(junk, dead.value());
        assertTrue(header(dead, "strata-dlq-reason").startsWith("not an Event: "), header(dead, "strata-dlq-reason"));
        assertEquals("dedup-service", header(dead, "strata-dlq-service"));
        assertEquals(INPUT + "-0@0", header(dead, "strata-dlq-origin"));
        assertTrue(events.isEmpty());
        assertCounts(0, 0, 1);
    }

    @Test
    void aRecordWithoutKeyGoesToTheDeadLetterTopic() {
        Event event = track("acme", "src-1", "m-1", "u-1", "");
        incoming.pipeInput("", event.toByteArray(), T0);
        incoming.pipeInput((String) null, event.toByteArray(), T0);

        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(2, dead.size());
        assertEquals("", dead.get(0).key());
        assertNull(dead.get(1).key());
        for (TestRecord<String, byte[]> record : dead) {
            assertEquals("record without key", header(record, "strata-dlq-reason"));
            assertArrayEquals(event.toByteArray(), record.value());
        }
        assertEquals(INPUT + "-0@1", header(dead.get(1), "strata-dlq-origin"));
        assertTrue(events.isEmpty());
        assertCounts(0, 0, 2);
    }

    @Test
    void anEventWithoutTenantOrIdentityGoesToTheDeadLetterTopic() {
        Event noTenant = track("", "src-1", "m-1", "u-1", "");
        Event nobody = track("acme", "src-1", "m-2", "", "");
        incoming.pipeInput(incomingKey(noTenant), noTenant.toByteArray(), T0);
        incoming.pipeInput(incomingKey(nobody), nobody.toByteArray(), T0);
        incoming.pipeInput("src-1/m-3", null, T0);

        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(
                List.of("event without tenant", "event without userId or anonymousId", "record without value"),
                dead.stream().map(r -> header(r, "strata-dlq-reason")).toList());
        assertEquals(
                List.of("src-1/m-1", "src-1/m-2", "src-1/m-3"),
                dead.stream().map(TestRecord::key).toList());
        assertCounts(0, 0, 3);
    }

    @Test
    void theWindowIsARocksDbStoreLoggedToAChangelogTopic() {
        Event event = track("acme", "src-1", "m-1", "u-1", "");
        incoming.pipeInput(incomingKey(event), event.toByteArray(), T0);

        assertTrue(driver.getWindowStore(DedupTopology.STORE).persistent());
        assertTrue(
                driver.producedTopicNames().contains("strata-dedup-" + DedupTopology.STORE + "-changelog"),
                "produced: " + driver.producedTopicNames());
    }

    private void assertCounts(double forwarded, double duplicates, double deadLettered) {
        assertEquals(forwarded, count("forwarded"), "forwarded");
        assertEquals(duplicates, count("duplicate"), "duplicates");
        assertEquals(deadLettered, count("dead_letter"), "dead letters");
    }

    private double count(String outcome) {
        return registry.counter("strata_dedup_events_total", "outcome", outcome).count();
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
