package io.strata.profile.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A profile's behaviour aggregates, kept incrementally: per event name (lifetime count, first and
 * last time, events per day for the rolling windows), orders (count, revenue, first and last,
 * distinct purchase days) and facets (what it bought and saw, per dimension and value).
 *
 * <p>Every part is a sum, a minimum, a maximum or a union, so folding events in any order, and
 * merging two profiles' aggregates, give the same result as folding the events in time order: late
 * and out-of-order events are counted where they belong. Days are days of the tenant's time zone;
 * only the last {@link #DAYS_KEPT} days are kept per event name (the rolling windows reach 365).
 *
 * <p>Stored as JSON (the fields below, Jackson). Not thread-safe: one batch owns it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Behaviour {

    /** Days kept per event name for the rolling windows (more than the longest window, 365). */
    public static final int DAYS_KEPT = 400;
    /** Values kept per facet dimension; further values are not recorded (their count is lost). */
    public static final int VALUES_PER_DIMENSION = 200;

    public TreeMap<String, Stats> events = new TreeMap<>();
    public Orders orders;
    public TreeMap<String, TreeMap<String, Stats>> facets = new TreeMap<>();

    /** Count, first and last time; {@code daily} only for event names. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Stats {
        public long n;
        public long first;
        public long last;
        public TreeMap<Integer, Long> daily;

        void add(long at, long count) {
            first = n == 0 ? at : Math.min(first, at);
            last = n == 0 ? at : Math.max(last, at);
            n += count;
        }

        void merge(Stats other) {
            if (other.n == 0) {
                return;
            }
            first = n == 0 ? other.first : Math.min(first, other.first);
            last = n == 0 ? other.last : Math.max(last, other.last);
            n += other.n;
            if (other.daily != null) {
                if (daily == null) {
                    daily = new TreeMap<>();
                }
                other.daily.forEach((day, count) -> daily.merge(day, count, Long::sum));
            }
        }

        /** Events on the {@code days} days ending with {@code today}. */
        public long window(int today, int days) {
            if (daily == null) {
                return 0;
            }
            return daily.subMap(today - days + 1, true, today, true).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }

    /** Orders: count, revenue, first and last, distinct purchase days. */
    public static final class Orders {
        public long n;
        public BigDecimal revenue = BigDecimal.ZERO;
        public long first;
        public long last;
        public TreeSet<Integer> days = new TreeSet<>();

        public BigDecimal average() {
            return n == 0
                    ? BigDecimal.ZERO
                    : revenue.divide(BigDecimal.valueOf(n), 2, java.math.RoundingMode.HALF_EVEN);
        }
    }

    /** What changed since the changes were last taken, for the change feed. */
    public static final class Changes {
        public final Set<String> events = new TreeSet<>();
        public boolean orders;
        public final Set<Facet> facets = new LinkedHashSet<>();

        public boolean isEmpty() {
            return events.isEmpty() && !orders && facets.isEmpty();
        }

        public void clear() {
            events.clear();
            orders = false;
            facets.clear();
        }
    }

    /**
     * Folds one event in.
     *
     * @param revenue the order's revenue when the event is an order, else null
     * @param today   the current day of {@code zone}: days older than {@link #DAYS_KEPT} are dropped
     */
    public void add(
            String name,
            Instant at,
            BigDecimal revenue,
            Iterable<Facet> eventFacets,
            ZoneId zone,
            int today,
            Changes changes) {
        long millis = at.toEpochMilli();
        int day = day(at, zone);
        Stats stats = events.computeIfAbsent(name, k -> new Stats());
        stats.add(millis, 1);
        if (day > today - DAYS_KEPT) {
            if (stats.daily == null) {
                stats.daily = new TreeMap<>();
            }
            stats.daily.merge(day, 1L, Long::sum);
        }
        prune(stats, today);
        changes.events.add(name);
        if (revenue != null) {
            if (orders == null) {
                orders = new Orders();
            }
            orders.first = orders.n == 0 ? millis : Math.min(orders.first, millis);
            orders.last = orders.n == 0 ? millis : Math.max(orders.last, millis);
            orders.n++;
            orders.revenue = orders.revenue.add(revenue);
            orders.days.add(day);
            changes.orders = true;
        }
        for (Facet facet : eventFacets) {
            TreeMap<String, Stats> values = facets.computeIfAbsent(facet.dimension(), k -> new TreeMap<>());
            Stats value = values.get(facet.value());
            if (value == null) {
                if (values.size() >= VALUES_PER_DIMENSION) {
                    continue;
                }
                value = new Stats();
                values.put(facet.value(), value);
            }
            value.add(millis, 1);
            changes.facets.add(facet);
        }
    }

    /** Adds another profile's aggregates (a merge); everything of it counts as changed. */
    public void merge(Behaviour other, int today, Changes changes) {
        other.events.forEach((name, stats) -> {
            Stats mine = events.computeIfAbsent(name, k -> new Stats());
            mine.merge(stats);
            prune(mine, today);
            changes.events.add(name);
        });
        if (other.orders != null && other.orders.n > 0) {
            if (orders == null || orders.n == 0) {
                orders = new Orders();
                orders.first = other.orders.first;
                orders.last = other.orders.last;
            } else {
                orders.first = Math.min(orders.first, other.orders.first);
                orders.last = Math.max(orders.last, other.orders.last);
            }
            orders.n += other.orders.n;
            orders.revenue = orders.revenue.add(other.orders.revenue);
            orders.days.addAll(other.orders.days);
            changes.orders = true;
        }
        other.facets.forEach((dimension, values) -> {
            TreeMap<String, Stats> mine = facets.computeIfAbsent(dimension, k -> new TreeMap<>());
            values.forEach((value, stats) -> {
                Stats entry = mine.get(value);
                if (entry == null) {
                    if (mine.size() >= VALUES_PER_DIMENSION) {
                        return;
                    }
                    entry = new Stats();
                    mine.put(value, entry);
                }
                entry.merge(stats);
                changes.facets.add(new Facet(dimension, value));
            });
        });
    }

    public static int day(Instant at, ZoneId zone) {
        return (int) LocalDate.ofInstant(at, zone).toEpochDay();
    }

    private static void prune(Stats stats, int today) {
        if (stats.daily != null) {
            stats.daily.headMap(today - DAYS_KEPT, true).clear();
            if (stats.daily.isEmpty()) {
                stats.daily = null;
            }
        }
    }

    /** The facet entry, or null. */
    public Stats facet(Facet facet) {
        Map<String, Stats> values = facets.get(facet.dimension());
        return values == null ? null : values.get(facet.value());
    }
}
