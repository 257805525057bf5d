package io.strata.segmentation.engine;

import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.FieldType;
import io.strata.segmentation.rules.Op;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.roaringbitmap.RoaringBitmap;

/** The column of each field type; see {@link Column}. */
final class Columns {

    private Columns() {}

    /** Values of a categorical field: a bitmap per distinct value and a code per ordinal. */
    private static final class Categories {
        final Dictionary dictionary = new Dictionary();
        final List<RoaringBitmap> bitmaps = new ArrayList<>();

        int add(String value, int ordinal) {
            int code = dictionary.code(value);
            if (code == bitmaps.size()) {
                bitmaps.add(new RoaringBitmap());
            }
            bitmaps.get(code).add(ordinal);
            return code;
        }

        RoaringBitmap of(Object value) {
            int code = dictionary.find((String) value);
            return code < 0 ? new RoaringBitmap() : bitmaps.get(code);
        }

        RoaringBitmap anyOf(List<Object> values) {
            List<RoaringBitmap> parts = new ArrayList<>();
            for (Object value : values) {
                parts.add(of(value));
            }
            return RoaringBitmap.or(parts.iterator());
        }

        /** The union over every value meeting a test (contains, starts with). */
        RoaringBitmap matching(Predicate<String> test) {
            List<RoaringBitmap> parts = new ArrayList<>();
            for (int code = 0; code < dictionary.size(); code++) {
                if (test.test(dictionary.value(code))) {
                    parts.add(bitmaps.get(code));
                }
            }
            return RoaringBitmap.or(parts.iterator());
        }

        long sizeInBytes() {
            long bytes = 64L * dictionary.size();
            for (RoaringBitmap bitmap : bitmaps) {
                bytes += bitmap.getLongSizeInBytes();
            }
            return bytes;
        }
    }

    /** Text: a bitmap per value; any value is kept as its text. */
    static final class Text implements Column {
        private final Categories categories = new Categories();
        private final RoaringBitmap present = new RoaringBitmap();
        private int[] codes = new int[0];

        @Override
        public FieldType type() {
            return FieldType.STRING;
        }

        @Override
        public void set(int ordinal, Object value) {
            if (ordinal < codes.length && present.contains(ordinal)) {
                categories.bitmaps.get(codes[ordinal]).remove(ordinal);
                present.remove(ordinal);
            }
            if (value == null || value instanceof Collection<?> c && c.isEmpty()) {
                return;
            }
            if (ordinal >= codes.length) {
                codes = Arrays.copyOf(codes, Math.max(ordinal + 1, codes.length * 2 + 16));
            }
            codes[ordinal] = categories.add(value instanceof String s ? s : String.valueOf(value), ordinal);
            present.add(ordinal);
        }

        @Override
        public Object get(int ordinal) {
            return present.contains(ordinal) ? categories.dictionary.value(codes[ordinal]) : null;
        }

        @Override
        public RoaringBitmap present() {
            return present;
        }

        @Override
        public RoaringBitmap select(Condition.Compare compare, Instant now, RoaringBitmap within) {
            List<Object> values = compare.values();
            RoaringBitmap hits = switch (compare.op()) {
                case EQ -> categories.of(values.get(0));
                case NE -> RoaringBitmap.andNot(present, categories.of(values.get(0)));
                case IN -> categories.anyOf(values);
                case NOT_IN -> RoaringBitmap.andNot(present, categories.anyOf(values));
                case CONTAINS -> categories.matching(v -> v.contains((String) values.get(0)));
                case STARTS_WITH -> categories.matching(v -> v.startsWith((String) values.get(0)));
                default -> new RoaringBitmap();
            };
            return RoaringBitmap.and(hits, within);
        }

        @Override
        public long sizeInBytes() {
            return categories.sizeInBytes() + present.getLongSizeInBytes() + 4L * codes.length;
        }
    }

    /** Several texts per profile (the facets): a bitmap per value and the codes per ordinal. */
    static final class TextSets implements Column {
        private final Categories categories = new Categories();
        private final RoaringBitmap present = new RoaringBitmap();
        private final RoaringBitmap sets = new RoaringBitmap();
        private int[][] codes = new int[0][];

        @Override
        public FieldType type() {
            return FieldType.STRINGS;
        }

        @Override
        public void set(int ordinal, Object value) {
            if (ordinal < codes.length && codes[ordinal] != null) {
                for (int code : codes[ordinal]) {
                    categories.bitmaps.get(code).remove(ordinal);
                }
                codes[ordinal] = null;
            }
            present.remove(ordinal);
            sets.remove(ordinal);
            if (value == null || value instanceof Collection<?> c && c.isEmpty()) {
                return;
            }
            present.add(ordinal);
            if (!(value instanceof Collection<?> collection)) {
                return; // a mismatch: it exists, and meets nothing
            }
            if (ordinal >= codes.length) {
                codes = Arrays.copyOf(codes, Math.max(ordinal + 1, codes.length * 2 + 16));
            }
            Set<String> distinct = new LinkedHashSet<>();
            for (Object item : collection) {
                distinct.add(String.valueOf(item));
            }
            int[] held = new int[distinct.size()];
            int i = 0;
            for (String item : distinct) {
                held[i++] = categories.add(item, ordinal);
            }
            codes[ordinal] = held;
            sets.add(ordinal);
        }

        @Override
        public Object get(int ordinal) {
            if (!present.contains(ordinal)) {
                return null;
            }
            if (!sets.contains(ordinal)) {
                return Mismatch.VALUE;
            }
            Set<String> out = new LinkedHashSet<>();
            for (int code : codes[ordinal]) {
                out.add(categories.dictionary.value(code));
            }
            return Collections.unmodifiableSet(out);
        }

        @Override
        public RoaringBitmap present() {
            return present;
        }

        @Override
        public RoaringBitmap select(Condition.Compare compare, Instant now, RoaringBitmap within) {
            List<Object> values = compare.values();
            RoaringBitmap hits = switch (compare.op()) {
                case IN -> categories.anyOf(values);
                case NOT_IN -> RoaringBitmap.andNot(sets, categories.anyOf(values));
                case CONTAINS -> categories.of(values.get(0));
                default -> new RoaringBitmap();
            };
            return RoaringBitmap.and(hits, within);
        }

        @Override
        public long sizeInBytes() {
            long bytes = categories.sizeInBytes() + present.getLongSizeInBytes() + sets.getLongSizeInBytes();
            for (int[] held : codes) {
                bytes += held == null ? 8 : 16 + 4L * held.length;
            }
            return bytes;
        }
    }

    /** true / false, a bitmap each. */
    static final class Booleans implements Column {
        private final RoaringBitmap trues = new RoaringBitmap();
        private final RoaringBitmap falses = new RoaringBitmap();
        private final RoaringBitmap present = new RoaringBitmap();

        @Override
        public FieldType type() {
            return FieldType.BOOLEAN;
        }

        @Override
        public void set(int ordinal, Object value) {
            trues.remove(ordinal);
            falses.remove(ordinal);
            present.remove(ordinal);
            if (value == null || value instanceof Collection<?> c && c.isEmpty()) {
                return;
            }
            present.add(ordinal);
            if (value instanceof Boolean b) {
                (b ? trues : falses).add(ordinal);
            }
        }

        @Override
        public Object get(int ordinal) {
            if (trues.contains(ordinal)) {
                return Boolean.TRUE;
            }
            if (falses.contains(ordinal)) {
                return Boolean.FALSE;
            }
            return present.contains(ordinal) ? Mismatch.VALUE : null;
        }

        @Override
        public RoaringBitmap present() {
            return present;
        }

        @Override
        public RoaringBitmap select(Condition.Compare compare, Instant now, RoaringBitmap within) {
            boolean wanted = (Boolean) compare.values().get(0);
            RoaringBitmap hits = switch (compare.op()) {
                case EQ -> wanted ? trues : falses;
                case NE -> wanted ? falses : trues;
                default -> new RoaringBitmap();
            };
            return RoaringBitmap.and(hits, within);
        }

        @Override
        public long sizeInBytes() {
            return trues.getLongSizeInBytes() + falses.getLongSizeInBytes() + present.getLongSizeInBytes();
        }
    }

    /** Numbers, as doubles in a range index (keys ordered as {@link Double#compareTo} orders them). */
    static final class Numbers implements Column {
        private final RangeIndex index = new RangeIndex();
        private final RoaringBitmap present = new RoaringBitmap();

        /** A double as an unsigned long in the same order (negative numbers flipped whole). */
        static long key(double value) {
            long bits = Double.doubleToLongBits(value);
            return bits ^ ((bits >> 63) | Long.MIN_VALUE);
        }

        static double value(long key) {
            long bits = key < 0 ? key ^ Long.MIN_VALUE : ~key;
            return Double.longBitsToDouble(bits);
        }

        @Override
        public FieldType type() {
            return FieldType.NUMBER;
        }

        @Override
        public void set(int ordinal, Object value) {
            index.clear(ordinal);
            present.remove(ordinal);
            if (value == null || value instanceof Collection<?> c && c.isEmpty()) {
                return;
            }
            present.add(ordinal);
            if (value instanceof Number n) {
                index.set(ordinal, key(n.doubleValue()));
            }
        }

        @Override
        public Object get(int ordinal) {
            if (index.has(ordinal)) {
                return value(index.key(ordinal));
            }
            return present.contains(ordinal) ? Mismatch.VALUE : null;
        }

        @Override
        public RoaringBitmap present() {
            return present;
        }

        @Override
        public RoaringBitmap select(Condition.Compare compare, Instant now, RoaringBitmap within) {
            List<Object> values = compare.values();
            return switch (compare.op()) {
                case EQ -> equal(values.get(0), within);
                case NE ->
                    RoaringBitmap.andNot(RoaringBitmap.and(index.present(), within), equal(values.get(0), within));
                case IN -> anyOf(values, within);
                case NOT_IN -> RoaringBitmap.andNot(RoaringBitmap.and(index.present(), within), anyOf(values, within));
                case LT -> {
                    long k = key(number(values.get(0)));
                    yield k == 0 ? new RoaringBitmap() : index.between(0, k - 1, within);
                }
                case LTE -> index.between(0, key(number(values.get(0))), within);
                case GT -> {
                    long k = key(number(values.get(0)));
                    yield k == -1L ? new RoaringBitmap() : index.between(k + 1, -1L, within);
                }
                case GTE -> index.between(key(number(values.get(0))), -1L, within);
                case BETWEEN -> index.between(key(number(values.get(0))), key(number(values.get(1))), within);
                default -> new RoaringBitmap();
            };
        }

        private RoaringBitmap equal(Object value, RoaringBitmap within) {
            long k = key(number(value));
            return index.between(k, k, within);
        }

        private RoaringBitmap anyOf(List<Object> values, RoaringBitmap within) {
            RoaringBitmap out = new RoaringBitmap();
            for (Object value : values) {
                out.or(equal(value, within));
            }
            return out;
        }

        private static double number(Object value) {
            return ((Number) value).doubleValue();
        }

        @Override
        public void compact() {
            index.rebuild();
        }

        @Override
        public boolean needsCompaction() {
            return index.needsRebuild();
        }

        @Override
        public long sizeInBytes() {
            return index.sizeInBytes() + present.getLongSizeInBytes();
        }
    }

    /**
     * Dates: an instant (kept to the millisecond) or a calendar day (a birthday), in one range index
     * of signed keys (epoch milliseconds or epoch days, told apart by a bitmap of the day-valued
     * ordinals), and a bitmap per month and day of the year, in the tenant's zone, for anniversaries.
     */
    static final class Dates implements Column {
        private final ZoneId zone;
        private final RangeIndex index = new RangeIndex();
        private final RoaringBitmap days = new RoaringBitmap();
        private final RoaringBitmap present = new RoaringBitmap();
        /** By month × 32 + day of month. */
        private final RoaringBitmap[] monthDays = new RoaringBitmap[13 * 32];

        Dates(ZoneId zone) {
            this.zone = zone;
            for (int i = 0; i < monthDays.length; i++) {
                monthDays[i] = new RoaringBitmap();
            }
        }

        private static long key(long signed) {
            return signed ^ Long.MIN_VALUE;
        }

        private static int monthDay(LocalDate day) {
            return day.getMonthValue() * 32 + day.getDayOfMonth();
        }

        private LocalDate day(int ordinal) {
            long signed = key(index.key(ordinal));
            return days.contains(ordinal)
                    ? LocalDate.ofEpochDay(signed)
                    : LocalDate.ofInstant(Instant.ofEpochMilli(signed), zone);
        }

        @Override
        public FieldType type() {
            return FieldType.DATE;
        }

        @Override
        public void set(int ordinal, Object value) {
            if (index.has(ordinal)) {
                monthDays[monthDay(day(ordinal))].remove(ordinal);
            }
            index.clear(ordinal);
            days.remove(ordinal);
            present.remove(ordinal);
            if (value == null || value instanceof Collection<?> c && c.isEmpty()) {
                return;
            }
            present.add(ordinal);
            if (value instanceof LocalDate day) {
                days.add(ordinal);
                index.set(ordinal, key(day.toEpochDay()));
            } else if (value instanceof Instant instant) {
                index.set(ordinal, key(instant.toEpochMilli()));
            } else {
                return;
            }
            monthDays[monthDay(day(ordinal))].add(ordinal);
        }

        @Override
        public Object get(int ordinal) {
            if (index.has(ordinal)) {
                long signed = key(index.key(ordinal));
                return days.contains(ordinal) ? LocalDate.ofEpochDay(signed) : Instant.ofEpochMilli(signed);
            }
            return present.contains(ordinal) ? Mismatch.VALUE : null;
        }

        @Override
        public RoaringBitmap present() {
            return present;
        }

        /**
         * How a bound of the condition maps onto the keys of one kind of value: the smallest key whose
         * value is at or after the bound, and the largest at or before it.
         */
        private interface Bounds {
            long atLeast(Object bound);

            long atMost(Object bound);
        }

        /** Day-valued field, compared by day. */
        private static final Bounds DAY_BY_DAY = new Bounds() {
            @Override
            public long atLeast(Object bound) {
                return ((LocalDate) bound).toEpochDay();
            }

            @Override
            public long atMost(Object bound) {
                return ((LocalDate) bound).toEpochDay();
            }
        };

        /** Instant-valued field (milliseconds), compared with an instant. */
        private static final Bounds INSTANT_BY_INSTANT = new Bounds() {
            @Override
            public long atLeast(Object bound) {
                Instant at = (Instant) bound;
                long millis = at.toEpochMilli();
                return at.getNano() % 1_000_000 == 0 ? millis : millis + 1;
            }

            @Override
            public long atMost(Object bound) {
                return ((Instant) bound).toEpochMilli();
            }
        };

        /** Instant-valued field, compared by its day in the zone. */
        private Bounds instantByDay() {
            return new Bounds() {
                @Override
                public long atLeast(Object bound) {
                    return ((LocalDate) bound).atStartOfDay(zone).toInstant().toEpochMilli();
                }

                @Override
                public long atMost(Object bound) {
                    return ((LocalDate) bound)
                                    .plusDays(1)
                                    .atStartOfDay(zone)
                                    .toInstant()
                                    .toEpochMilli()
                            - 1;
                }
            };
        }

        /** Day-valued field, compared as the instant its day starts in the zone. */
        private Bounds dayByInstant() {
            return new Bounds() {
                @Override
                public long atLeast(Object bound) {
                    Instant at = (Instant) bound;
                    LocalDate day = LocalDate.ofInstant(at, zone);
                    return day.atStartOfDay(zone).toInstant().equals(at) ? day.toEpochDay() : day.toEpochDay() + 1;
                }

                @Override
                public long atMost(Object bound) {
                    return LocalDate.ofInstant((Instant) bound, zone).toEpochDay();
                }
            };
        }

        @Override
        public RoaringBitmap select(Condition.Compare compare, Instant now, RoaringBitmap within) {
            if (compare.op() == Op.ANNIVERSARY_WITHIN_NEXT) {
                return RoaringBitmap.and(anniversaries(LocalDate.ofInstant(now, zone), compare.days()), within);
            }
            RoaringBitmap dayValued = RoaringBitmap.and(within, days);
            RoaringBitmap instantValued = RoaringBitmap.andNot(RoaringBitmap.and(within, index.present()), days);
            LocalDate today = LocalDate.ofInstant(now, zone);
            Instant back = now.minus(Duration.ofDays(compare.days()));
            Instant ahead = now.plus(Duration.ofDays(compare.days()));
            return switch (compare.op()) {
                case WITHIN_LAST ->
                    RoaringBitmap.or(
                            range(DAY_BY_DAY, today.minusDays(compare.days()), today, dayValued),
                            range(INSTANT_BY_INSTANT, back, now, instantValued));
                case WITHIN_NEXT ->
                    RoaringBitmap.or(
                            range(DAY_BY_DAY, today, today.plusDays(compare.days()), dayValued),
                            range(INSTANT_BY_INSTANT, now, ahead, instantValued));
                case BEFORE_LAST ->
                    RoaringBitmap.or(
                            below(DAY_BY_DAY, today.minusDays(compare.days()), dayValued),
                            below(INSTANT_BY_INSTANT, back, instantValued));
                default -> {
                    boolean byDay = compare.values().stream().allMatch(v -> v instanceof LocalDate);
                    List<Object> bounds = byDay
                            ? compare.values()
                            : compare.values().stream()
                                    .map(v -> v instanceof LocalDate d
                                            ? (Object) d.atStartOfDay(zone).toInstant()
                                            : v)
                                    .toList();
                    yield RoaringBitmap.or(
                            absolute(compare.op(), bounds, byDay ? DAY_BY_DAY : dayByInstant(), dayValued),
                            absolute(compare.op(), bounds, byDay ? instantByDay() : INSTANT_BY_INSTANT, instantValued));
                }
            };
        }

        private RoaringBitmap absolute(Op op, List<Object> bounds, Bounds map, RoaringBitmap within) {
            Object first = bounds.get(0);
            return switch (op) {
                case EQ -> range(map, first, first, within);
                case NE -> RoaringBitmap.andNot(within, range(map, first, first, within));
                case LT -> below(map, first, within);
                case LTE -> between(Long.MIN_VALUE, map.atMost(first), within);
                case GT -> above(map, first, within);
                case GTE -> between(map.atLeast(first), Long.MAX_VALUE, within);
                case BETWEEN -> range(map, first, bounds.get(1), within);
                default -> new RoaringBitmap();
            };
        }

        /** Values from {@code from} through {@code to}, both included. */
        private RoaringBitmap range(Bounds map, Object from, Object to, RoaringBitmap within) {
            return between(map.atLeast(from), map.atMost(to), within);
        }

        /** Values strictly before {@code bound}. */
        private RoaringBitmap below(Bounds map, Object bound, RoaringBitmap within) {
            long least = map.atLeast(bound);
            return least == Long.MIN_VALUE ? new RoaringBitmap() : between(Long.MIN_VALUE, least - 1, within);
        }

        /** Values strictly after {@code bound}. */
        private RoaringBitmap above(Bounds map, Object bound, RoaringBitmap within) {
            long most = map.atMost(bound);
            return most == Long.MAX_VALUE ? new RoaringBitmap() : between(most + 1, Long.MAX_VALUE, within);
        }

        private RoaringBitmap between(long from, long to, RoaringBitmap within) {
            if (from > to || within.isEmpty()) {
                return new RoaringBitmap();
            }
            return index.between(key(from), key(to), within);
        }

        /**
         * The ordinals whose date's next anniversary, today included, is at most {@code days} away; 29
         * February falls on 28 February in years without it.
         */
        private RoaringBitmap anniversaries(LocalDate today, int days) {
            if (days >= 800) {
                return RoaringBitmap.or(Arrays.asList(monthDays).iterator());
            }
            RoaringBitmap out = new RoaringBitmap();
            for (int i = 0; i <= days; i++) {
                LocalDate date = today.plusDays(i);
                out.or(monthDays[monthDay(date)]);
                if (date.getMonthValue() == 2 && date.getDayOfMonth() == 28 && !date.isLeapYear()) {
                    out.or(monthDays[2 * 32 + 29]);
                }
            }
            return out;
        }

        @Override
        public void compact() {
            index.rebuild();
        }

        @Override
        public boolean needsCompaction() {
            return index.needsRebuild();
        }

        @Override
        public long sizeInBytes() {
            long bytes = index.sizeInBytes() + days.getLongSizeInBytes() + present.getLongSizeInBytes();
            for (RoaringBitmap bitmap : monthDays) {
                bytes += bitmap.getLongSizeInBytes();
            }
            return bytes;
        }
    }
}
