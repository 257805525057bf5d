package io.strata.demo;

import io.strata.demo.History.Line;
import io.strata.demo.History.Order;
import io.strata.demo.Population.Profile;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The demo brand's history: {@code consumers} consumers over {@code months} months up to the
 * reference date, generated consumer by consumer from (seed, index) — the same arguments give
 * the same bytes, and any number of consumers runs in constant memory.
 *
 * <p>Writes {@value #ORDERS}, {@value #CONSUMERS} and {@value #TRUTHS} to the output folder, and
 * hands every Segment call to an {@link EventSink} ({@link #writeFiles} writes them to
 * {@value #EVENTS}).
 */
public final class DemoGenerator {

    public static final String EVENTS = "events.jsonl";
    public static final String ORDERS = "orders.csv";
    public static final String CONSUMERS = "consumers.csv";
    public static final String TRUTHS = "truths.json";
    /** The day the history ends when none is given: fixed, so output never depends on the clock. */
    public static final LocalDate DEFAULT_REFERENCE = LocalDate.of(2026, 11, 1);

    private static final String[] ORDER_COLUMNS = {
        "order_id",
        "user_id",
        "email",
        "phone",
        "timestamp",
        "product_id",
        "name",
        "category",
        "price",
        "quantity",
        "channel",
        "store",
        "currency"
    };
    private static final String[] CONSUMER_COLUMNS = {
        "user_id",
        "crowd",
        "crowd_zh",
        "churning",
        "core",
        "high_potential",
        "referral_depth",
        "referrer_id",
        "gender",
        "birthday",
        "age",
        "city",
        "city_tier",
        "occupation",
        "income_level",
        "married",
        "kids",
        "phone",
        "email",
        "wechat_union_id",
        "member_id",
        "device_ids",
        "anonymous_ids",
        "first_seen",
        "signed_in",
        "member",
        "orders",
        "visits_previous_30d",
        "visits_last_30d",
        "archetype"
    };

    /**
     * What to generate.
     *
     * @param reference the day the history ends (exclusive, midnight +08:00)
     */
    public record Options(long seed, long consumers, int months, LocalDate reference) {

        public Options {
            if (consumers < 1 || consumers > 100_000_000L) {
                throw new IllegalArgumentException("--consumers must be between 1 and 100,000,000, not " + consumers);
            }
            if (months < 12 || months > 24) {
                throw new IllegalArgumentException("--months must be between 12 and 24, not " + months);
            }
            if (reference == null) {
                reference = DEFAULT_REFERENCE;
            }
        }
    }

    /** Takes each Segment call, as one line of JSON. */
    @FunctionalInterface
    public interface EventSink {
        void accept(String json) throws IOException, InterruptedException;
    }

    /** Told after each consumer: how many consumers and events are done. */
    @FunctionalInterface
    public interface Progress {
        void done(long consumers, long events);

        Progress NONE = (consumers, events) -> {};
    }

    /** What was generated. */
    public record Summary(
            long consumers,
            long events,
            long orders,
            long buyers,
            long churning,
            long core,
            long highPotential,
            Map<String, Long> eventsByName) {}

    private final Options options;
    private final TimeFrame time;
    private final Population population;
    private final ConsumerGenerator generator;
    private final String tag;

    public DemoGenerator(Options options) {
        this.options = options;
        this.time = new TimeFrame(options.reference(), options.months());
        this.population = new Population(options.seed(), options.consumers(), time);
        this.generator = new ConsumerGenerator(options.seed(), time, population);
        long hash = Rngs.mix(
                options.seed(),
                options.consumers(),
                options.months() * 100_000L + options.reference().toEpochDay());
        this.tag = String.format("%08x", hash >>> 32);
    }

    /** All four files in {@code out}. */
    public Summary writeFiles(Path out, Progress progress) throws IOException, InterruptedException {
        Files.createDirectories(out);
        try (Writer events = Files.newBufferedWriter(out.resolve(EVENTS), StandardCharsets.UTF_8)) {
            return generate(
                    out,
                    json -> {
                        events.write(json);
                        events.write('\n');
                    },
                    progress);
        }
    }

    /** Orders, consumers and truths in {@code out}; the events to {@code events}. */
    public Summary generate(Path out, EventSink events, Progress progress) throws IOException, InterruptedException {
        Files.createDirectories(out);
        Truths truths = new Truths(options, time);
        EventWriter writer = new EventWriter();
        CSVFormat csv = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get();
        try (BufferedWriter ordersFile = Files.newBufferedWriter(out.resolve(ORDERS), StandardCharsets.UTF_8);
                BufferedWriter consumersFile = Files.newBufferedWriter(out.resolve(CONSUMERS), StandardCharsets.UTF_8);
                CSVPrinter orders = new CSVPrinter(
                        ordersFile, csv.builder().setHeader(ORDER_COLUMNS).get());
                CSVPrinter consumers = new CSVPrinter(
                        consumersFile, csv.builder().setHeader(CONSUMER_COLUMNS).get())) {
            for (long i = 0; i < options.consumers(); i++) {
                History h = generator.generate(i);
                String prefix = tag + "-" + Long.toString(i, 36) + "-";
                int k = 0;
                for (SegmentEvent event : h.events) {
                    events.accept(writer.write(event, prefix + k++));
                    truths.event(event);
                }
                truths.add(h);
                writeOrders(orders, h);
                writeConsumer(consumers, h);
                progress.done(i + 1, truths.events);
            }
        }
        try (OutputStream file = Files.newOutputStream(out.resolve(TRUTHS))) {
            truths.write(file);
        }
        return new Summary(
                truths.consumers,
                truths.events,
                truths.orders,
                truths.buyers,
                truths.churnPlanted,
                truths.core,
                truths.invited1 + truths.invited2,
                new TreeMap<>(truths.eventsByName));
    }

    private static void writeOrders(CSVPrinter csv, History h) throws IOException {
        for (Order order : h.orders) {
            for (Line line : order.lines()) {
                csv.printRecord(
                        order.orderId(),
                        h.profile.userId(),
                        h.ids.email(),
                        h.ids.phone(),
                        EventWriter.timestamp(order.time()),
                        line.product().id(),
                        line.product().name(),
                        line.product().category().id(),
                        BigDecimal.valueOf(line.priceFen(), 2),
                        line.quantity(),
                        order.channel(),
                        order.store() == null ? "" : order.store(),
                        "CNY");
            }
        }
    }

    private void writeConsumer(CSVPrinter csv, History h) throws IOException {
        Profile p = h.profile;
        Person person = p.person();
        StringBuilder devices = new StringBuilder();
        StringBuilder anonymous = new StringBuilder();
        for (Identifiers.Device d : h.ids.devices()) {
            devices.append(devices.isEmpty() ? "" : " ").append(d.id());
            anonymous.append(anonymous.isEmpty() ? "" : " ").append(d.anonymousId());
        }
        csv.printRecord(
                p.userId(),
                p.crowd().name(),
                p.crowd().zh,
                h.plantedChurn,
                p.core(),
                p.highPotential(),
                p.depth(),
                p.referrer() >= 0 ? population.userId(p.referrer()) : "",
                person.gender(),
                person.birthday(),
                person.age(time.reference()),
                person.city(),
                person.cityTier(),
                person.occupation(),
                person.incomeLevel(),
                person.married(),
                person.kids(),
                h.ids.phone(),
                h.ids.email(),
                h.ids.unionId() == null ? "" : h.ids.unionId(),
                h.ids.memberId() == null ? "" : h.ids.memberId(),
                devices,
                anonymous,
                EventWriter.timestamp(p.firstSeen()),
                EventWriter.timestamp(p.signedIn()),
                h.member,
                h.orders.size(),
                h.visitsPrevious30,
                h.visitsLast30,
                Archetype.of(options.seed(), person).name());
    }
}
