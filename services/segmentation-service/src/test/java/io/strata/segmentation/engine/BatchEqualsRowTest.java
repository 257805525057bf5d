package io.strata.segmentation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.Evaluator;
import io.strata.segmentation.rules.FieldType;
import io.strata.segmentation.rules.Op;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * The property that keeps the two paths equal: for random profiles (values of every type, of the
 * wrong type, missing; events on the edges of windows) and random rules (every operator, nesting,
 * event counts with filters, segment of segment), the bitmap path's members are exactly the
 * profiles the row-wise evaluator accepts, in several zones, before and after the indexes are
 * rebuilt and while profiles change and are forgotten. A failure names the seed and the rule.
 */
class BatchEqualsRowTest {

    private static final Map<String, FieldType> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("traits.city", FieldType.STRING);
        FIELDS.put("traits.age", FieldType.NUMBER);
        FIELDS.put("traits.member", FieldType.BOOLEAN);
        FIELDS.put("traits.birthday", FieldType.DATE);
        FIELDS.put("traits.signed_up_at", FieldType.DATE);
        FIELDS.put("facets.category", FieldType.STRINGS);
        FIELDS.put("orders.count", FieldType.NUMBER);
    }

    private static final List<String> CITIES = List.of("Shanghai", "Beijing", "shanghai", "Shang", "", "5.0");
    private static final List<Double> NUMBERS = List.of(-1.5, -0.0, 0.0, 18.0, 25.0, 30.5, 60.0, 1e9);
    private static final List<String> CATEGORIES = List.of("skincare", "makeup", "fragrance", "hair");
    private static final List<String> EVENTS = List.of("Order Completed", "Page Viewed");
    /** A property always text with few values: the event index holds it (category also holds a number). */
    private static final List<String> CHANNELS = List.of("app", "web", "store");

    private static final List<ZoneId> ZONES =
            List.of(ZoneId.of("UTC"), ZoneId.of("Asia/Shanghai"), ZoneId.of("America/New_York"));

    /** Rules that selected none, some, all of the profiles: most must select some to tell anything. */
    private final int[] outcomes = new int[3];

    @Test
    void batchEqualsRowWiseOnRandomProfilesAndRules() {
        for (long seed = 1; seed <= 60; seed++) {
            run(seed);
        }
        int rules = outcomes[0] + outcomes[1] + outcomes[2];
        assertTrue(outcomes[1] > rules / 2, "too few rules selected some but not all profiles: " + outcomes[1]);
    }

    private void run(long seed) {
        Random random = new Random(seed);
        ZoneId zone = ZONES.get(random.nextInt(ZONES.size()));
        Instant now = Instant.parse("2026-03-08T06:30:00Z")
                .plus(Duration.ofDays(random.nextInt(400)))
                .plusNanos(random.nextBoolean() ? 0 : random.nextInt(1_000_000_000));
        ProfileTable table = new ProfileTable(zone);
        Generator gen = new Generator(random, now, zone);
        int profiles = 150 + random.nextInt(150);
        for (int i = 0; i < profiles; i++) {
            String id = random.nextBoolean() ? "p" + i : new UUID(random.nextLong(), random.nextLong()).toString();
            gen.fill(table, table.ordinal(id));
        }
        Map<String, RoaringBitmap> segments = new HashMap<>();
        RoaringBitmap base = new RoaringBitmap();
        table.live().forEach((int o) -> {
            if (random.nextInt(3) == 0) {
                base.add(o);
            }
        });
        segments.put("base", base);
        for (int round = 0; round < 4; round++) {
            if (round == 1 || round == 3) {
                table.compact();
            }
            if (round == 2) {
                // the rounds after go on with the table as a snapshot gives it back
                table = roundTrip(seed, table);
            }
            for (int r = 0; r < 25; r++) {
                Condition rule = gen.condition(0);
                check(seed, round, rule, table, now, segments);
            }
            // change a third of the profiles, forget a few, add some
            for (int i = 0; i < profiles / 3; i++) {
                int ordinal = random.nextInt(profiles);
                if (table.profileId(ordinal) != null) {
                    if (random.nextInt(10) == 0) {
                        table.forget(ordinal);
                        base.remove(ordinal);
                    } else {
                        gen.fill(table, ordinal);
                    }
                }
            }
            for (int i = 0; i < 10; i++) {
                gen.fill(table, table.ordinal("q" + round + "-" + i));
            }
        }
    }

    /** The table written and read back, checked to hold the same profiles, values and events. */
    private static ProfileTable roundTrip(long seed, ProfileTable table) {
        ProfileTable copy;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                table.writeTo(out);
            }
            copy = ProfileTable.readFrom(
                    new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), table.zone());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertEquals(table.live(), copy.live(), "seed " + seed);
        table.live().forEach((int o) -> {
            assertEquals(table.profileId(o), copy.profileId(o), "seed " + seed);
            assertEquals(o, copy.find(table.profileId(o)).orElse(-1), "seed " + seed);
            for (String field : FIELDS.keySet()) {
                assertEquals(
                        table.facts(o).value(field),
                        copy.facts(o).value(field),
                        "seed " + seed + " profile " + o + " " + field);
            }
            assertEquals(table.events().all(o), copy.events().all(o), "seed " + seed + " profile " + o);
            for (String event : EVENTS) {
                assertEquals(table.events().performed(event), copy.events().performed(event), "seed " + seed);
            }
        });
        assertEquals(table.ordinal("a new one"), copy.ordinal("a new one"), "the next ordinal, seed " + seed);
        return copy;
    }

    private void check(
            long seed,
            int round,
            Condition rule,
            ProfileTable table,
            Instant now,
            Map<String, RoaringBitmap> segments) {
        RoaringBitmap batch =
                new BitmapEvaluator(table, now, s -> segments.getOrDefault(s, new RoaringBitmap())).evaluate(rule);
        RoaringBitmap rows = new RoaringBitmap();
        table.live().forEach((int o) -> {
            Evaluator.Context context = new Evaluator.Context(
                    now,
                    table.zone(),
                    s -> segments.getOrDefault(s, new RoaringBitmap()).contains(o));
            if (Evaluator.matches(rule, table.facts(o), context)) {
                rows.add(o);
            }
        });
        outcomes[batch.isEmpty() ? 0 : batch.equals(table.live()) ? 2 : 1]++;
        if (!batch.equals(rows)) {
            RoaringBitmap onlyBatch = RoaringBitmap.andNot(batch, rows);
            RoaringBitmap onlyRows = RoaringBitmap.andNot(rows, batch);
            int example = !onlyBatch.isEmpty() ? onlyBatch.first() : onlyRows.first();
            Map<String, Object> values = new LinkedHashMap<>();
            FIELDS.keySet().forEach(f -> values.put(f, table.facts(example).value(f)));
            assertEquals(
                    rows,
                    batch,
                    "seed " + seed + " round " + round + " now " + now + " zone " + table.zone() + "\nrule " + rule
                            + "\nprofile " + example + " " + values + " events "
                            + table.events().all(example));
        }
    }

    /** Random values and rules, biased towards the edges. */
    private static final class Generator {
        private final Random random;
        private final Instant now;
        private final ZoneId zone;
        private final LocalDate today;
        private final List<Instant> instants = new ArrayList<>();
        private long identities;

        Generator(Random random, Instant now, ZoneId zone) {
            this.random = random;
            this.now = now;
            this.zone = zone;
            this.today = LocalDate.ofInstant(now, zone);
            for (int days : new int[] {0, 1, 7, 30}) {
                Instant back = now.minus(Duration.ofDays(days));
                Instant ahead = now.plus(Duration.ofDays(days));
                instants.add(back);
                instants.add(back.minusMillis(1));
                instants.add(back.plusMillis(1));
                instants.add(ahead);
                instants.add(ahead.plusMillis(1));
                instants.add(ahead.minusMillis(1));
                instants.add(today.minusDays(days).atStartOfDay(zone).toInstant());
                instants.add(
                        today.minusDays(days).atStartOfDay(zone).toInstant().minusMillis(1));
            }
            // the edges of the event index's weeks near the windows' starts
            for (int days : new int[] {0, 7, 30, 60}) {
                long week = EventIndex.week(now.minus(Duration.ofDays(days)).toEpochMilli());
                for (long edge : new long[] {EventIndex.firstMilli(week), EventIndex.lastMilli(week)}) {
                    instants.add(Instant.ofEpochMilli(edge));
                    instants.add(Instant.ofEpochMilli(edge + 1));
                    instants.add(Instant.ofEpochMilli(edge - 1));
                }
            }
        }

        <T> T pick(List<T> values) {
            return values.get(random.nextInt(values.size()));
        }

        Instant instant() {
            return random.nextInt(3) == 0
                    ? now.minus(Duration.ofMillis((long) (random.nextDouble() * 90 * 86_400_000L)))
                            .plus(Duration.ofDays(random.nextInt(10)))
                    : pick(instants);
        }

        LocalDate day() {
            return switch (random.nextInt(5)) {
                case 0 -> LocalDate.of(2000, 2, 29).plusYears(4L * random.nextInt(5));
                case 4 -> today.minusDays(pick(List.of(0, 1, 7, 30))).plusDays(random.nextInt(3) - 1);
                case 1 -> today.plusDays(random.nextInt(80) - 40);
                case 2 -> today.minusYears(20 + random.nextInt(20)).plusDays(random.nextInt(20) - 5);
                default -> LocalDate.of(1960 + random.nextInt(50), 1 + random.nextInt(12), 1 + random.nextInt(28));
            };
        }

        void fill(ProfileTable table, int ordinal) {
            table.set(
                    ordinal, "traits.city", FieldType.STRING, maybe(() -> random.nextInt(6) == 0 ? 5.0 : pick(CITIES)));
            table.set(
                    ordinal, "traits.age", FieldType.NUMBER, maybe(() -> random.nextInt(8) == 0 ? "x" : pick(NUMBERS)));
            table.set(ordinal, "traits.member", FieldType.BOOLEAN, maybe(() -> switch (random.nextInt(5)) {
                case 0 -> "yes";
                case 1, 2 -> true;
                default -> false;
            }));
            table.set(ordinal, "traits.birthday", FieldType.DATE, maybe(() -> switch (random.nextInt(6)) {
                case 0 -> "1990-01-01x";
                case 1 -> instant();
                default -> day();
            }));
            table.set(ordinal, "traits.signed_up_at", FieldType.DATE, maybe(() -> switch (random.nextInt(5)) {
                case 0 -> today.plusDays(random.nextInt(70) - 35);
                default -> instant();
            }));
            table.set(ordinal, "facets.category", FieldType.STRINGS, maybe(() -> {
                if (random.nextInt(8) == 0) {
                    return "skincare";
                }
                Set<String> set = new LinkedHashSet<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    set.add(pick(CATEGORIES));
                }
                return set;
            }));
            table.set(
                    ordinal,
                    "orders.count",
                    FieldType.NUMBER,
                    random.nextInt(3) == 0 ? null : (double) random.nextInt(3));
            int events = random.nextInt(random.nextInt(4) == 0 ? 14 : 6);
            for (int i = 0; i < events; i++) {
                Map<String, Object> properties = new HashMap<>();
                if (random.nextBoolean()) {
                    properties.put("category", random.nextInt(6) == 0 ? 3.0 : pick(CATEGORIES));
                }
                if (random.nextBoolean()) {
                    properties.put("revenue", random.nextInt(6) == 0 ? "lots" : pick(NUMBERS));
                }
                if (random.nextInt(3) > 0) {
                    properties.put("channel", pick(CHANNELS));
                }
                table.addEvent(ordinal, ++identities, pick(EVENTS), instant(), properties);
            }
        }

        private Object maybe(java.util.function.Supplier<Object> value) {
            return random.nextInt(5) == 0 ? null : value.get();
        }

        Condition condition(int depth) {
            int kind = random.nextInt(depth >= 3 ? 4 : 8);
            return switch (kind) {
                case 0, 1, 2 -> compare();
                case 3 ->
                    random.nextInt(3) == 0
                            ? new Condition.InSegment(random.nextBoolean() ? "base" : "nothing")
                            : performed();
                case 4, 5 -> new Condition.All(children(depth));
                case 6 -> new Condition.Any(children(depth));
                default -> new Condition.Not(condition(depth + 1));
            };
        }

        private List<Condition> children(int depth) {
            List<Condition> out = new ArrayList<>();
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                out.add(condition(depth + 1));
            }
            return out;
        }

        Condition compare() {
            String field = pick(new ArrayList<>(FIELDS.keySet()));
            FieldType type = FIELDS.get(field);
            List<Op> ops = new ArrayList<>();
            for (Op op : Op.values()) {
                if (op.appliesTo(type)) {
                    ops.add(op);
                }
            }
            Op op = pick(ops);
            List<Object> values = switch (op.arity()) {
                case NONE, DAYS -> List.of();
                case ONE -> List.of(value(type));
                case TWO -> {
                    Object a = value(type);
                    Object b = value(type);
                    yield random.nextInt(4) == 0 ? List.of(b, a) : ordered(a, b);
                }
                case MANY -> {
                    List<Object> many = new ArrayList<>();
                    int n = 1 + random.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        many.add(value(type));
                    }
                    yield many;
                }
            };
            int days = op.arity() == Op.Arity.DAYS ? pick(List.of(0, 1, 7, 30, 365, 1000)) : 0;
            return new Condition.Compare(field, type, op, values, days);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private List<Object> ordered(Object a, Object b) {
            if (a.getClass() == b.getClass() && ((Comparable) a).compareTo(b) > 0) {
                return List.of(b, a);
            }
            return List.of(a, b);
        }

        private Object value(FieldType type) {
            return switch (type) {
                case STRING -> pick(CITIES);
                case STRINGS -> pick(CATEGORIES);
                case NUMBER -> pick(NUMBERS);
                case BOOLEAN -> random.nextBoolean();
                case DATE ->
                    switch (random.nextInt(3)) {
                        case 0 -> day();
                        case 1 -> instant();
                        default -> instant().plusNanos(random.nextInt(1_000_000));
                    };
            };
        }

        Condition performed() {
            Condition.Times times = pick(List.of(Condition.Times.values()));
            List<Condition.PropertyFilter> where = new ArrayList<>();
            if (random.nextBoolean()) {
                Op op = pick(
                        List.of(Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.CONTAINS, Op.STARTS_WITH, Op.EXISTS, Op.MISSING));
                List<Object> values = op == Op.EXISTS || op == Op.MISSING ? List.of() : List.of(pick(CATEGORIES));
                where.add(new Condition.PropertyFilter("category", FieldType.STRING, op, values));
            }
            if (random.nextBoolean()) {
                Op op = pick(List.of(Op.EQ, Op.IN, Op.IN, Op.NE));
                List<Object> values = op == Op.IN
                        ? List.of(pick(CHANNELS), pick(CHANNELS), "fax")
                        : List.of(random.nextInt(5) == 0 ? "fax" : pick(CHANNELS));
                where.add(
                        random.nextBoolean() ? 0 : where.size(),
                        new Condition.PropertyFilter("channel", FieldType.STRING, op, values));
            }
            if (random.nextBoolean()) {
                Op op = pick(List.of(Op.GTE, Op.LT, Op.BETWEEN, Op.EQ));
                List<Object> values = op == Op.BETWEEN ? List.of(0.0, 30.5) : List.of(pick(NUMBERS));
                where.add(new Condition.PropertyFilter("revenue", FieldType.NUMBER, op, values));
                if (random.nextInt(3) == 0) {
                    // a second filter on the same property: a range written as two bounds
                    where.add(
                            new Condition.PropertyFilter("revenue", FieldType.NUMBER, Op.LTE, List.of(pick(NUMBERS))));
                }
            }
            int count = random.nextInt(5) == 0 ? random.nextInt(10) : random.nextInt(3);
            return new Condition.Performed(pick(EVENTS), times, count, pick(List.of(0, 1, 7, 30, 60)), where);
        }
    }
}
