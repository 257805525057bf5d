package io.strata.tools;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.LookupProfileRequest;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.profile.v1.ProfileServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * profile-service's benchmark, in two phases around the service's start ({@code ./strata bench
 * profile} runs them):
 *
 * <ol>
 *   <li>{@code preload}: a consumer brand's events (anonymous visits, sign-ins with email and phone,
 *       devices, content views, carts, orders with products) written to the service's input topic
 *       before it starts;
 *   <li>{@code measure}: the rate at which they come out of the change feed ({@code
 *       strata.profile-events.v1}: committed, then relayed), from the feed records' own timestamps,
 *       the first tenth left out as warm-up; next to it, PostgreSQL's own rate for the least any
 *       such pipeline writes (each event's id and bytes, once, in batches of 500); then lookups by
 *       identifier over gRPC on a tenant of a million profiles, next to the same queries sent to
 *       PostgreSQL directly.
 * </ol>
 */
@Command(
        name = "bench-profile",
        mixinStandardHelpOptions = true,
        description = "profile-service: events/s to committed profiles with the change feed on, and lookup latency.")
public final class ProfileBench implements Callable<Integer> {

    private static final String SOURCE = "bench";
    private static final int RAW_BATCH = 500;

    @Parameters(index = "0", description = "preload | measure")
    String phase;

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092")
    String bootstrap;

    @Option(names = "--topic", required = true, description = "the service's input topic")
    String topic;

    @Option(names = "--feed-topic", description = "the service's strata.profile-events.v1 (measure)")
    String feedTopic;

    @Option(
            names = "--run",
            required = true,
            description = "this run's id: its events' ids and identifiers start with it")
    String run;

    @Option(names = "--tenant", defaultValue = "demo", description = "the tenant (the lookups' user token's)")
    String tenant;

    @Option(names = "--events", defaultValue = "200000", description = "events preloaded (default ${DEFAULT-VALUE})")
    int events;

    @Option(
            names = "--users",
            defaultValue = "20000",
            description = "consumers they come from (default ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--jdbc", description = "the service's database (measure)")
    String jdbc;

    @Option(names = "--db-user", defaultValue = "strata_profile")
    String dbUser;

    @Option(names = "--grpc", description = "host:port of the service's gRPC API (measure)")
    String grpc;

    @Option(
            names = "--profiles",
            defaultValue = "1000000",
            description = "profiles of the lookup tenant (default ${DEFAULT-VALUE})")
    int profiles;

    @Option(names = "--lookups", defaultValue = "20000", description = "lookups measured (default ${DEFAULT-VALUE})")
    int lookups;

    @Option(names = "--timeout", defaultValue = "PT15M", description = "how long the feed may take")
    Duration timeout;

    @Option(names = "--report", description = "append the results, as a Markdown table row, to this file")
    Path report;

    @Option(names = "--figures", description = "write the figures line to this file too (the launcher prints it last)")
    Path figures;

    @Override
    public Integer call() throws Exception {
        return switch (phase) {
            case "preload" -> preload();
            case "measure" -> measure();
            default -> throw new IllegalArgumentException("phase must be preload or measure, not " + phase);
        };
    }

    // ---------------------------------------------------------------- preload

    private int preload() throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        long started = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            generate(event -> {}, (key, event) -> producer.send(new ProducerRecord<>(topic, key, event.toByteArray())));
            producer.flush();
        }
        System.out.printf(
                Locale.ROOT,
                "preloaded %,d events of %,d consumers on %s in %.1f s%n",
                events,
                users,
                topic,
                (System.nanoTime() - started) / 1e9);
        return 0;
    }

    /** Where generated events go: their key ({@code tenant/identity}) and the event. */
    private interface Sink {
        void accept(String key, Event event) throws Exception;
    }

    private static final String[] CHANNELS = {"xiaohongshu", "douyin", "weibo", "wechat", "bilibili"};
    private static final String[] TOPICS = {"skincare", "deals", "parenting", "office_life", "wellness", "guochao"};
    private static final String[] CATEGORIES = {"skincare", "masks", "coffee", "snacks", "sportswear", "pet_supplies"};
    private static final String[] PLATFORMS = {"ios", "android", "wechat_mini_program", "web"};

    /**
     * The events, round-robin over the consumers (each consumer's own in time order): an anonymous
     * visit and product view on a device, a sign-in (identify with email and phone) linking it, then
     * content views, pages, carts and one order in five.
     */
    private void generate(IntConsumer progress, Sink sink) throws Exception {
        int perUser = Math.max(3, events / users);
        Instant start = Instant.now().minus(Duration.ofDays(300));
        int written = 0;
        for (int i = 0; i < perUser && written < events; i++) {
            for (int u = 0; u < users && written < events; u++) {
                SplittableRandom rng = new SplittableRandom(((long) u << 20) ^ i ^ run.hashCode());
                String user = run + "-u" + u;
                String anon = run + "-a" + u;
                Instant at = start.plus(Duration.ofHours((long) u % 97 + 20L * i));
                Event.Builder e = Event.newBuilder()
                        .setTenant(tenant)
                        .setSourceId(SOURCE)
                        .setMessageId(run + "-" + u + "-" + i)
                        .setTimestamp(ts(at))
                        .setReceivedAt(ts(at))
                        .setContext(Struct.newBuilder()
                                .putFields(
                                        "device",
                                        object("id", run + "-d" + u, "type", PLATFORMS[u % PLATFORMS.length])));
                String key;
                if (i < 2) {
                    e.setAnonymousId(anon);
                    key = tenant + "/" + anon;
                    if (i == 0) {
                        e.setType(EventType.EVENT_TYPE_PAGE).setName("Home");
                    } else {
                        e.setType(EventType.EVENT_TYPE_TRACK).setEvent("Product Viewed");
                    }
                } else {
                    e.setUserId(user);
                    key = tenant + "/" + user;
                    if (i == 2) {
                        e.setAnonymousId(anon)
                                .setType(EventType.EVENT_TYPE_IDENTIFY)
                                .setTraits(Struct.newBuilder()
                                        .putFields("email", string(user + "@example.com"))
                                        .putFields("phone", string(String.format(Locale.ROOT, "139%08d", u)))
                                        .putFields("name", string("consumer " + u))
                                        .putFields("city", string(rng.nextBoolean() ? "上海" : "成都")));
                    } else {
                        int kind = rng.nextInt(10);
                        e.setType(EventType.EVENT_TYPE_TRACK);
                        if (kind < 5) {
                            e.setEvent("Content Viewed")
                                    .setProperties(struct(
                                            "channel", CHANNELS[rng.nextInt(CHANNELS.length)],
                                            "topic", TOPICS[rng.nextInt(TOPICS.length)],
                                            "creator", "kol-" + rng.nextInt(40)));
                        } else if (kind < 7) {
                            e.setEvent("Product Added").setProperties(struct("product_id", "P" + rng.nextInt(300)));
                        } else if (kind < 8) {
                            e.setType(EventType.EVENT_TYPE_PAGE).setName("Category");
                        } else {
                            String category = CATEGORIES[rng.nextInt(CATEGORIES.length)];
                            Struct line = struct("product_id", "P" + rng.nextInt(300), "category", category).toBuilder()
                                    .putFields(
                                            "price",
                                            Value.newBuilder()
                                                    .setNumberValue(9.9 + rng.nextInt(300))
                                                    .build())
                                    .putFields(
                                            "quantity",
                                            Value.newBuilder().setNumberValue(1).build())
                                    .build();
                            e.setEvent("Order Completed")
                                    .setProperties(
                                            struct("order_id", run + "-o" + u + "-" + i, "channel", "tmall").toBuilder()
                                                    .putFields(
                                                            "products",
                                                            Value.newBuilder()
                                                                    .setListValue(ListValue.newBuilder()
                                                                            .addValues(Value.newBuilder()
                                                                                    .setStructValue(line)))
                                                                    .build()));
                        }
                    }
                }
                sink.accept(key, e.build());
                progress.accept(++written);
            }
        }
    }

    // ---------------------------------------------------------------- measure

    private int measure() throws Exception {
        if (feedTopic == null || jdbc == null || grpc == null) {
            throw new IllegalArgumentException("measure needs --feed-topic, --jdbc and --grpc");
        }
        String password = System.getenv("STRATA_BENCH_DB_PASSWORD");
        long[] times = feedTimes();
        int warm = times.length / 10;
        double seconds = (times[times.length - 1] - times[warm]) / 1000.0;
        double eventsPerSecond = (times.length - 1 - warm) / Math.max(seconds, 0.001);
        System.out.printf(
                Locale.ROOT,
                "absorbed: %,d events on the change feed, %,.0f events/s after the first tenth (%.1f s)%n",
                times.length,
                eventsPerSecond,
                seconds);

        double rawPerSecond;
        long lookupProfiles;
        double[] service;
        double[] raw;
        try (Connection db = DriverManager.getConnection(jdbc, dbUser, password)) {
            rawPerSecond = rawWrites(db);
            System.out.printf(
                    Locale.ROOT,
                    "PostgreSQL alone: %,.0f events/s stored (id and bytes, batches of %d)%n",
                    rawPerSecond,
                    RAW_BATCH);
            lookupProfiles = ensureLookupProfiles(db);
            raw = rawLookups(db);
        }
        service = serviceLookups();
        System.out.printf(
                Locale.ROOT,
                "lookups on %,d profiles: service p50 %.2f ms p99 %.2f ms; the same queries in PostgreSQL p50 %.2f ms p99 %.2f ms%n",
                lookupProfiles,
                service[0],
                service[1],
                raw[0],
                raw[1]);
        double ratio = eventsPerSecond / rawPerSecond;
        String line = String.format(
                Locale.ROOT,
                "events_per_s=%.0f lookup_p50_ms=%.2f lookup_p99_ms=%.2f profiles=%d raw_pg_events_per_s=%.0f ratio=%.2f raw_lookup_p50_ms=%.2f raw_lookup_p99_ms=%.2f",
                eventsPerSecond,
                service[0],
                service[1],
                lookupProfiles,
                rawPerSecond,
                ratio,
                raw[0],
                raw[1]);
        if (report != null) {
            String row = String.format(
                    Locale.ROOT,
                    "| %s | %,d | %,.0f | %,.0f | %.2f | %.2f | %.2f | %,d | %.2f | %.2f |%n",
                    Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    times.length,
                    eventsPerSecond,
                    rawPerSecond,
                    ratio,
                    service[0],
                    service[1],
                    lookupProfiles,
                    raw[0],
                    raw[1]);
            Files.writeString(report, row, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        if (figures != null) {
            Files.writeString(figures, line + System.lineSeparator());
        }
        System.out.println(line);
        return 0;
    }

    /** The feed records' timestamps of this run's events, once each, sorted; waits for all of them. */
    private long[] feedTimes() throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        Set<String> seen = new HashSet<>();
        List<Long> times = new ArrayList<>(events);
        Instant deadline = Instant.now().plus(timeout);
        Instant report = Instant.now();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(feedTopic, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(feedTopic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (seen.size() < events) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(
                            "the change feed carried " + seen.size() + " of " + events + " events within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Event event = ProfileEvent.parseFrom(record.value()).getEvent();
                    if (event.getMessageId().startsWith(run + "-") && seen.add(event.getMessageId())) {
                        times.add(record.timestamp());
                    }
                }
                if (Duration.between(report, Instant.now()).toSeconds() >= 10) {
                    report = Instant.now();
                    System.out.printf(Locale.ROOT, "  the feed carries %,d of %,d events%n", seen.size(), events);
                }
            }
        }
        long[] sorted = times.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    /** PostgreSQL storing each event's id and bytes once, in batches of 500, each its own transaction. */
    private double rawWrites(Connection db) throws Exception {
        try (Statement s = db.createStatement()) {
            s.execute("drop table if exists bench_raw_events");
            s.execute("""
                    create table bench_raw_events (
                        tenant text, source_id text, message_id text, payload bytea,
                        primary key (tenant, source_id, message_id))""");
        }
        List<Event> batch = new ArrayList<>(RAW_BATCH);
        long started = System.nanoTime();
        try (PreparedStatement insert = db.prepareStatement("""
                insert into bench_raw_events (tenant, source_id, message_id, payload)
                select * from unnest(?::text[], ?::text[], ?::text[], ?::bytea[]) on conflict do nothing""")) {
            generate(n -> {}, (key, event) -> {
                batch.add(event);
                if (batch.size() == RAW_BATCH) {
                    rawBatch(db, insert, batch);
                }
            });
            if (!batch.isEmpty()) {
                rawBatch(db, insert, batch);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        try (Statement s = db.createStatement()) {
            s.execute("drop table bench_raw_events");
        }
        return events / seconds;
    }

    private static void rawBatch(Connection db, PreparedStatement insert, List<Event> batch) throws SQLException {
        int n = batch.size();
        String[] tenants = new String[n];
        String[] sources = new String[n];
        String[] ids = new String[n];
        byte[][] payloads = new byte[n][];
        for (int i = 0; i < n; i++) {
            Event e = batch.get(i);
            tenants[i] = e.getTenant();
            sources[i] = e.getSourceId();
            ids[i] = e.getMessageId();
            payloads[i] = e.toByteArray();
        }
        insert.setArray(1, db.createArrayOf("text", tenants));
        insert.setArray(2, db.createArrayOf("text", sources));
        insert.setArray(3, db.createArrayOf("text", ids));
        insert.setObject(4, payloads);
        insert.executeUpdate();
        batch.clear();
    }

    /**
     * The lookup tenant's profiles, made in the database once (a user id and an email each) and kept
     * for later runs; returns how many the tenant has.
     */
    private long ensureLookupProfiles(Connection db) throws SQLException {
        long have = lookupProfiles(db);
        if (have < profiles) {
            System.out.printf(Locale.ROOT, "making %,d lookup profiles (once; kept for later runs)%n", profiles);
            long started = System.nanoTime();
            int chunk = 100_000;
            try (PreparedStatement make = db.prepareStatement("""
                    with made as (
                        insert into profiles (id, tenant, traits, created_at, updated_at, version)
                        select md5('lookup-' || g)::uuid, ?, jsonb_build_object('name', 'lookup ' || g), now(), now(), 0
                        from generate_series(?, ?) g
                        on conflict do nothing
                        returning id)
                    insert into profile_identities (tenant, type, value, profile_id, created_at)
                    select ?, t.type, case t.type when 'USER_ID' then 'lookup-' || g else 'lookup-' || g || '@example.com' end,
                           md5('lookup-' || g)::uuid, now()
                    from generate_series(?, ?) g cross join (values ('USER_ID'), ('EMAIL')) as t(type)
                    where md5('lookup-' || g)::uuid in (select id from made)""")) {
                for (int from = 0; from < profiles; from += chunk) {
                    int to = Math.min(profiles, from + chunk) - 1;
                    make.setString(1, tenant);
                    make.setInt(2, from);
                    make.setInt(3, to);
                    make.setString(4, tenant);
                    make.setInt(5, from);
                    make.setInt(6, to);
                    make.executeUpdate();
                }
            }
            try (Statement s = db.createStatement()) {
                s.execute("analyze profiles");
                s.execute("analyze profile_identities");
            }
            System.out.printf(Locale.ROOT, "  made in %.0f s%n", (System.nanoTime() - started) / 1e9);
            have = lookupProfiles(db);
        }
        return have;
    }

    private long lookupProfiles(Connection db) throws SQLException {
        try (PreparedStatement count = db.prepareStatement("select count(*) from profiles where tenant = ?")) {
            count.setString(1, tenant);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The queries a lookup makes (owner, profile, identifiers; counts are in the behaviour), sent to PostgreSQL directly. */
    private double[] rawLookups(Connection db) throws Exception {
        try (PreparedStatement owner = db.prepareStatement(
                        "select profile_id from profile_identities where tenant = ? and type = 'USER_ID' and value = ?");
                PreparedStatement profile = db.prepareStatement("""
                        select cast(traits as text), cast(behaviour as text), version, first_seen, last_seen,
                               created_at, updated_at from profiles where tenant = ? and id = ?""");
                PreparedStatement identities = db.prepareStatement(
                        "select type, value from profile_identities where tenant = ? and profile_id = ? order by id")) {
            return latencies(key -> {
                owner.setString(1, tenant);
                owner.setString(2, key);
                java.util.UUID id;
                try (ResultSet rs = owner.executeQuery()) {
                    rs.next();
                    id = (java.util.UUID) rs.getObject(1);
                }
                for (PreparedStatement q : List.of(profile, identities)) {
                    q.setString(1, tenant);
                    q.setObject(2, id);
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            rs.getString(1);
                        }
                    }
                }
            });
        }
    }

    /** LookupProfile over gRPC, as the gateway calls it (a service token and the user's token). */
    private double[] serviceLookups() throws Exception {
        ManagedChannel channel = GatewayCalls.channel(grpc);
        try {
            var stub = ProfileServiceGrpc.newBlockingStub(channel).withInterceptors(GatewayCalls.headers());
            return latencies(key -> stub.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .lookupProfile(LookupProfileRequest.newBuilder()
                            .setTenant(tenant)
                            .setIdentity(Identity.newBuilder()
                                    .setType(IdentityType.IDENTITY_TYPE_USER_ID)
                                    .setValue(key))
                            .build()));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private interface Lookup {
        void run(String userId) throws Exception;
    }

    /** One lookup after the other of random profiles: a tenth as warm-up, then p50 and p99 in ms. */
    private double[] latencies(Lookup lookup) throws Exception {
        Random random = new Random(42);
        int warmup = Math.max(1000, lookups / 10);
        for (int i = 0; i < warmup; i++) {
            lookup.run("lookup-" + random.nextInt(profiles));
        }
        long[] nanos = new long[lookups];
        for (int i = 0; i < lookups; i++) {
            String key = "lookup-" + random.nextInt(profiles);
            long t = System.nanoTime();
            lookup.run(key);
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return new double[] {nanos[lookups / 2] / 1e6, nanos[(int) (lookups * 0.99)] / 1e6};
    }

    private static Timestamp ts(Instant at) {
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }

    private static Value string(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static Struct struct(String... pairs) {
        Struct.Builder b = Struct.newBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            b.putFields(pairs[i], string(pairs[i + 1]));
        }
        return b.build();
    }

    private static Value object(String... pairs) {
        return Value.newBuilder().setStructValue(struct(pairs)).build();
    }
}
