package io.strata.tools;

import com.google.common.util.concurrent.Futures;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.segmentation.v1.CreateSegmentRequest;
import io.strata.proto.segmentation.v1.SegmentKind;
import io.strata.proto.segmentation.v1.SegmentMembership;
import io.strata.proto.segmentation.v1.SegmentState;
import io.strata.proto.segmentation.v1.SegmentationServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * segmentation-service's real-time benchmark, against a running service on feed topics of its own
 * ({@code ./strata bench segmentation} starts it): an active audience "ordered at least once" is
 * created over gRPC, then profile events are written to the feed at a steady rate (by default
 * 5,000/s: nine in ten page views of a pool of known profiles, which the service evaluates and
 * which change nothing, one in ten the first order of a new profile, which must make it enter). The
 * latency of an order is from the moment its feed record is handed to Kafka to the moment its
 * membership record is read from {@code strata.segment-membership.v1} by this process: the
 * service's whole part (read the feed, apply, evaluate, store the change and relay it through the
 * outbox). The first tenth is left out as warm-up; every order must come out exactly once.
 */
@Command(
        name = "bench-segmentation-realtime",
        mixinStandardHelpOptions = true,
        description = "segmentation-service: latency from a feed event to its membership record at a steady rate.")
public final class SegmentationRealtimeBench implements Callable<Integer> {

    @Option(names = "--bootstrap", required = true, description = "Kafka's bootstrap servers")
    String bootstrap;

    @Option(names = "--events-topic", required = true)
    String eventsTopic;

    @Option(names = "--membership-topic", required = true)
    String membershipTopic;

    @Option(names = "--grpc", required = true, description = "the service's gRPC address (host:port)")
    String grpc;

    @Option(names = "--tenant", description = "the tenant of the user token (default ${DEFAULT-VALUE})")
    String tenant = "demo";

    @Option(names = "--rate", description = "feed events per second (default ${DEFAULT-VALUE})")
    int rate = 5_000;

    @Option(names = "--seconds", description = "how long to write at that rate (default ${DEFAULT-VALUE})")
    int seconds = 60;

    @Option(
            names = "--lookup-seconds",
            description = "how long partners' membership checks run after the feed (default ${DEFAULT-VALUE})")
    int lookupSeconds = 10;

    @Option(names = "--lookup-concurrency", description = "checks in flight at once (default ${DEFAULT-VALUE})")
    int lookupConcurrency = 64;

    @Option(
            names = "--lookup-connections",
            description =
                    "connections the checks are spread over, as a partner's pool would (default ${DEFAULT-VALUE})")
    int lookupConnections = 2;

    @Option(
            names = "--lookup-batch",
            description = "checks per CheckMemberships call in the batched round (0: none; default ${DEFAULT-VALUE})")
    int lookupBatch = 100;

    @Option(
            names = "--lookup-batch-concurrency",
            description = "CheckMemberships calls in flight at once (default ${DEFAULT-VALUE})")
    int lookupBatchConcurrency = 8;

    @Option(names = "--batch", description = "the batch phase's figures (name=value ...)")
    Path batch;

    @Option(names = "--report", description = "append the results, as a Markdown table row, to this file")
    Path report;

    @Option(names = "--figures", description = "write the figures line to this file too (the launcher prints it last)")
    Path figures;

    @Override
    public Integer call() throws Exception {
        if (lookupBatch < 0 || lookupBatch > 1_000) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this),
                    "--lookup-batch: 0 to 1,000 checks a call (the service's most), was " + lookupBatch);
        }
        if (lookupBatchConcurrency < 1 || lookupConcurrency < 1) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this), "--lookup-concurrency and --lookup-batch-concurrency: at least 1");
        }
        String run = "bench-" + Long.toString(System.currentTimeMillis(), 36);
        String segmentId = run + "-buyers";
        createAudience(segmentId);

        Map<String, Long> sent = new ConcurrentHashMap<>();
        Latencies latencies = new Latencies();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong unexpected = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong warmupUntil = new AtomicLong(Long.MAX_VALUE);
        Map<String, Boolean> seen = new ConcurrentHashMap<>();

        KafkaConsumer<String, byte[]> consumer = consumer();
        List<TopicPartition> partitions = consumer.partitionsFor(membershipTopic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // the end now, before anything is written
        Thread reader = Thread.ofPlatform().name("membership-reader").start(() -> {
            try (consumer) {
                while (!stop.get()) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        long received = System.nanoTime();
                        SegmentMembership membership;
                        try {
                            membership = SegmentMembership.parseFrom(record.value());
                        } catch (Exception e) {
                            unexpected.incrementAndGet();
                            continue;
                        }
                        if (!membership.getSegmentId().equals(segmentId)) {
                            continue;
                        }
                        Long at = sent.get(membership.getProfileId());
                        if (at == null || !membership.getEntered()) {
                            unexpected.incrementAndGet();
                        } else if (seen.putIfAbsent(membership.getProfileId(), true) != null) {
                            duplicates.incrementAndGet();
                        } else if (at >= warmupUntil.get()) {
                            latencies.add((received - at) / 1_000);
                        }
                    }
                }
            }
        });

        SplittableRandom random = new SplittableRandom(7);
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            pool.add(UUID.randomUUID().toString());
        }
        long orders = 0;
        long events = 0;
        try (KafkaProducer<String, byte[]> producer = producer()) {
            long started = System.nanoTime();
            long total = (long) rate * seconds;
            long tick = 10_000_000L; // 10 ms
            long perTick = Math.max(1, rate / 100);
            warmupUntil.set(started + TimeUnit.SECONDS.toNanos(Math.max(1, seconds / 10)));
            while (events < total) {
                long due = started + (events / perTick) * tick;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                for (int i = 0; i < perTick && events < total; i++, events++) {
                    boolean order = events % 10 == 9;
                    String profileId = order ? UUID.randomUUID().toString() : pool.get(random.nextInt(pool.size()));
                    ProfileEvent record = record(profileId, order, random);
                    if (order) {
                        sent.put(profileId, System.nanoTime());
                        orders++;
                    }
                    producer.send(new ProducerRecord<>(eventsTopic, tenant + "/" + profileId, record.toByteArray()));
                }
            }
            producer.flush();
            double achieved = events / ((System.nanoTime() - started) / 1e9);
            System.out.printf(
                    Locale.ROOT, "wrote %,d feed events (%,d orders) at %,.0f events/s%n", events, orders, achieved);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (seen.size() < orders && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        stop.set(true);
        reader.join();

        long missing = orders - seen.size();
        double p50 = latencies.percentileMillis(50);
        double p95 = latencies.percentileMillis(95);
        double p99 = latencies.percentileMillis(99);
        System.out.printf(
                Locale.ROOT,
                "membership records: %,d of %,d orders entered (%,d duplicates, %,d unexpected); latency p50 %.1f ms,"
                        + " p95 %.1f ms, p99 %.1f ms over %,d after warm-up%n",
                seen.size(),
                orders,
                duplicates.get(),
                unexpected.get(),
                p50,
                p95,
                p99,
                latencies.count());

        Lookups lookups = lookups(segmentId, new ArrayList<>(sent.keySet()), pool);

        Map<String, String> batchFigures = new java.util.LinkedHashMap<>();
        if (batch != null && Files.exists(batch)) {
            for (String pair : Files.readString(batch).trim().split("\\s+")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    batchFigures.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        String line = String.format(
                Locale.ROOT,
                "engine_ms=%s postgres_ms=%s duckdb_ms=%s realtime_p50_ms=%.0f realtime_p95_ms=%.0f"
                        + " realtime_p99_ms=%.0f heap_mb_1000_segments=%s",
                batchFigures.getOrDefault("engine_ms", "NaN"),
                batchFigures.getOrDefault("postgres_ms", "NaN"),
                batchFigures.getOrDefault("duckdb_ms", "NaN"),
                p50,
                p95,
                p99,
                batchFigures.getOrDefault("heap_mb_1000_segments", "NaN"));
        if (report != null) {
            double engine = Double.parseDouble(batchFigures.getOrDefault("engine_ms", "NaN"));
            String row = String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %.2f | %.0f× | %.0f× | %s | %s | %s | %,d/s | %.0f | %.0f | %.0f | %d | %s | %s |%n",
                    LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                    batchFigures.getOrDefault("profiles", "?"),
                    batchFigures.getOrDefault("events", "?"),
                    batchFigures.getOrDefault("members", "?"),
                    engine,
                    Double.parseDouble(batchFigures.getOrDefault("duckdb_ms", "NaN")) / engine,
                    Double.parseDouble(batchFigures.getOrDefault("postgres_ms", "NaN")) / engine,
                    batchFigures.getOrDefault("duckdb_ms", "?"),
                    batchFigures.getOrDefault("postgres_ms", "?"),
                    batchFigures.getOrDefault("heap_mb_1000_segments", "?"),
                    rate,
                    p50,
                    p95,
                    p99,
                    missing + duplicates.get(),
                    lookups == null ? "—" : lookups.cell(lookupBatch),
                    batchFigures.containsKey("snapshot_mb")
                            ? batchFigures.get("snapshot_write_s") + " / " + batchFigures.get("snapshot_read_s")
                                    + " s, " + batchFigures.get("snapshot_mb") + " MB"
                            : "—");
            SegmentationBench.report(report, row);
        }
        if (figures != null) {
            Files.writeString(figures, line + System.lineSeparator());
        }
        System.out.println(line);
        if (lookups != null && lookups.wrong() != 0) {
            System.err.printf("%d membership checks answered wrongly%n", lookups.wrong());
            return 1;
        }
        if (missing != 0 || duplicates.get() != 0 || unexpected.get() != 0) {
            System.err.printf(
                    "%d orders made no membership record, %d made more than one, %d records were not asked for%n",
                    missing, duplicates.get(), unexpected.get());
            return 1;
        }
        return 0;
    }

    /** Partners' membership checks: how many a second, and how many were answered wrongly. */
    /** Partners' checks: single calls, then (when {@code --lookup-batch} > 0) checks in batches. */
    record Lookups(Round single, Round batched) {
        long wrong() {
            return single.wrong() + (batched == null ? 0 : batched.wrong());
        }

        /** "2,430/s" and, with batches, "; 95,000/s in batches of 100". */
        String cell(int batch) {
            return String.format(Locale.ROOT, "%,.0f/s", single.perSecond())
                    + (batched == null
                            ? ""
                            : String.format(Locale.ROOT, "; %,.0f/s in batches of %d", batched.perSecond(), batch));
        }
    }

    /** One round: checks answered (each of a batch counts), a second, and how many were wrong. */
    record Round(long checks, double perSecond, long wrong) {}

    /**
     * A partner (client credentials, {@code STRATA_PARTNER_TOKEN}) asks whether profiles are in the
     * audience for {@code --lookup-seconds}: half members (those that ordered), half not (those that
     * only visited). First one profile a call ({@code CheckMembership}, {@code --lookup-concurrency}
     * calls in flight), then {@code --lookup-batch} profiles a call ({@code CheckMemberships}).
     * Null when no partner token is given.
     */
    private Lookups lookups(String segmentId, List<String> members, List<String> others) throws InterruptedException {
        String token = System.getenv("STRATA_PARTNER_TOKEN");
        if (token == null || token.isBlank() || lookupSeconds <= 0 || members.isEmpty()) {
            System.out.println("partner lookups: skipped (no STRATA_PARTNER_TOKEN)");
            return null;
        }
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(
                io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < Math.max(1, lookupConnections); i++) {
            channels.add(GatewayCalls.channel(grpc));
        }
        Set<String> in = new java.util.HashSet<>(members);
        SplittableRandom random = new SplittableRandom(11);
        java.util.function.Supplier<String> anyone = () -> random.nextBoolean()
                ? members.get(random.nextInt(members.size()))
                : others.get(random.nextInt(others.size()));
        try {
            var interceptor = io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers);
            List<SegmentationServiceGrpc.SegmentationServiceFutureStub> stubs = channels.stream()
                    .map(c -> SegmentationServiceGrpc.newFutureStub(c).withInterceptors(interceptor))
                    .toList();
            Round single = round(lookupConcurrency, call -> {
                String profileId = anyone.get();
                var answer = stubs.get((int) (call % stubs.size()))
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .checkMembership(io.strata.proto.segmentation.v1.CheckMembershipRequest.newBuilder()
                                .setTenant(tenant)
                                .setProfileId(profileId)
                                .setSegmentId(segmentId)
                                .build());
                return Futures.transform(
                        answer, r -> new long[] {1, r.getMember() == in.contains(profileId) ? 0 : 1}, Runnable::run);
            });
            System.out.printf(
                    Locale.ROOT,
                    "partner lookups: %,.0f CheckMembership/s over %,d calls (%d in flight on %d connections, %d"
                            + " answered wrongly)%n",
                    single.perSecond(),
                    single.checks(),
                    lookupConcurrency,
                    channels.size(),
                    single.wrong());
            Round batched = null;
            if (lookupBatch > 0) {
                batched = round(lookupBatchConcurrency, call -> {
                    var request = io.strata.proto.segmentation.v1.CheckMembershipsRequest.newBuilder()
                            .setTenant(tenant);
                    List<String> asked = new ArrayList<>(lookupBatch);
                    for (int i = 0; i < lookupBatch; i++) {
                        String profileId = anyone.get();
                        asked.add(profileId);
                        request.addChecks(io.strata.proto.segmentation.v1.MembershipCheck.newBuilder()
                                .setProfileId(profileId)
                                .setSegmentId(segmentId));
                    }
                    var answer = stubs.get((int) (call % stubs.size()))
                            .withDeadlineAfter(10, TimeUnit.SECONDS)
                            .checkMemberships(request.build());
                    return Futures.transform(
                            answer,
                            r -> {
                                long wrong = r.getMembersCount() == asked.size() ? 0 : asked.size();
                                for (int i = 0; wrong == 0 && i < asked.size(); i++) {
                                    if (r.getMembers(i) != in.contains(asked.get(i))) {
                                        wrong++;
                                    }
                                }
                                return new long[] {asked.size(), wrong};
                            },
                            Runnable::run);
                });
                System.out.printf(
                        Locale.ROOT,
                        "partner lookups in batches: %,.0f checks/s over %,d CheckMemberships calls of %d (%d in"
                                + " flight, %d answered wrongly)%n",
                        batched.perSecond(),
                        batched.checks() / lookupBatch,
                        lookupBatch,
                        lookupBatchConcurrency,
                        batched.wrong());
            }
            return new Lookups(single, batched);
        } finally {
            for (ManagedChannel channel : channels) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Calls made with {@code concurrency} in flight for 5 s of warm-up (the service's path is
     * compiled by the JIT then: not measured) and {@code --lookup-seconds} measured; each call's
     * future gives the checks it answered and how many of them were wrong (a failed call counts one
     * check, wrong, so the run fails).
     */
    private Round round(
            int concurrency,
            java.util.function.LongFunction<com.google.common.util.concurrent.ListenableFuture<long[]>> call)
            throws InterruptedException {
        AtomicLong calls = new AtomicLong();
        AtomicLong checks = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(concurrency);
        long warmup = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long end = warmup + TimeUnit.SECONDS.toNanos(lookupSeconds);
        long measuredFrom = 0;
        long counted = 0;
        while (System.nanoTime() < end) {
            if (measuredFrom == 0 && System.nanoTime() >= warmup) {
                measuredFrom = System.nanoTime();
                counted = checks.get();
            }
            inFlight.acquire();
            var answer = call.apply(calls.getAndIncrement());
            answer.addListener(
                    () -> {
                        try {
                            long[] done = answer.get();
                            wrong.addAndGet(done[1]);
                            checks.addAndGet(done[0]);
                        } catch (Exception e) {
                            wrong.incrementAndGet();
                            checks.incrementAndGet();
                        }
                        inFlight.release();
                    },
                    Runnable::run);
        }
        inFlight.acquire(concurrency);
        double seconds = (System.nanoTime() - measuredFrom) / 1e9;
        long measured = checks.get() - counted;
        return new Round(measured, measured / seconds, wrong.get());
    }

    private void createAudience(String segmentId) throws InterruptedException {
        ManagedChannel channel = GatewayCalls.channel(grpc);
        try {
            SegmentationServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(GatewayCalls.headers())
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .createSegment(CreateSegmentRequest.newBuilder()
                            .setTenant(tenant)
                            .setSegmentId(segmentId)
                            .setName("benchmark buyers")
                            .setKind(SegmentKind.SEGMENT_KIND_RULE)
                            .setState(SegmentState.SEGMENT_STATE_ACTIVE)
                            .setDefinition("{\"event\": \"Order Completed\", \"within_days\": 30,"
                                    + " \"where\": [{\"property\": \"revenue\", \"op\": \"gte\", \"value\": 1}]}")
                            .build());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private ProfileEvent record(String profileId, boolean order, SplittableRandom random) {
        Instant now = Instant.now();
        Timestamp at = Timestamp.newBuilder()
                .setSeconds(now.getEpochSecond())
                .setNanos(now.getNano())
                .build();
        Struct.Builder properties = Struct.newBuilder();
        if (order) {
            properties.putFields(
                    "revenue",
                    Value.newBuilder().setNumberValue(20 + random.nextInt(800)).build());
            properties.putFields(
                    "category",
                    Value.newBuilder()
                            .setStringValue(SegmentationBench.CATEGORIES[random.nextInt(8)])
                            .build());
        } else {
            properties.putFields(
                    "path",
                    Value.newBuilder()
                            .setStringValue("/p/" + random.nextInt(500))
                            .build());
        }
        Event event = Event.newBuilder()
                .setTenant(tenant)
                .setSourceId("bench")
                .setMessageId(UUID.randomUUID().toString())
                .setType(order ? EventType.EVENT_TYPE_TRACK : EventType.EVENT_TYPE_PAGE)
                .setEvent(order ? "Order Completed" : "")
                .setName(order ? "" : "Home")
                .setProperties(properties)
                .setTimestamp(at)
                .setReceivedAt(at)
                .build();
        return ProfileEvent.newBuilder()
                .setTenant(tenant)
                .setProfileId(profileId)
                .setEvent(event)
                .setAppliedAt(at)
                .build();
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
