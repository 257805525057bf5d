package io.strata.segmentation.rules;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Decides whether one profile meets a condition (the row-wise path: a profile that just changed,
 * and "why is P in S"). The semantics, which the bitmap path must equal, are in {@code docs/segments.md}:
 *
 * <ul>
 *   <li>a missing value meets only {@code missing} (so {@code ne} and {@code not_in} need a value;
 *       wrap in {@code not} for "is not, or has none");
 *   <li>text compares exactly (case and all); numbers as doubles;
 *   <li>a date given as a day (2026-03-31) compares by day in the tenant's zone; one given as an
 *       instant compares as an instant, a day-valued field counting as the start of its day;
 *   <li>"the last N days" is the N×24 hours up to now, both ends included; a day-valued field
 *       counts by calendar day in the tenant's zone; events after now never count;
 *   <li>an anniversary (a birthday) is within the next N days when its next occurrence, today
 *       included, is at most N days away; 29 February falls on 28 February in other years.
 * </ul>
 */
public final class Evaluator {

    /** When, in which zone, and which other segments the profile is in. */
    public record Context(Instant now, ZoneId zone, Predicate<String> memberOf) {}

    private Evaluator() {}

    public static boolean matches(Condition condition, ProfileFacts profile, Context context) {
        return switch (condition) {
            case Condition.All all -> all.conditions().stream().allMatch(c -> matches(c, profile, context));
            case Condition.Any any -> any.conditions().stream().anyMatch(c -> matches(c, profile, context));
            case Condition.Not not -> !matches(not.condition(), profile, context);
            case Condition.InSegment in -> context.memberOf().test(in.segment());
            case Condition.Compare compare -> compare(compare, profile.value(compare.field()), context);
            case Condition.Performed performed -> performed(performed, profile, context);
        };
    }

    private static boolean performed(Condition.Performed performed, ProfileFacts profile, Context context) {
        long count = count(performed, profile, context.now());
        return switch (performed.times()) {
            case AT_LEAST -> count >= performed.count();
            case AT_MOST -> count <= performed.count();
            case EXACTLY -> count == performed.count();
        };
    }

    /** The profile's events of the condition's name in its window (up to now) that pass every filter. */
    public static long count(Condition.Performed performed, ProfileFacts profile, Instant now) {
        Instant from = performed.withinDays() == 0 ? Instant.MIN : now.minus(Duration.ofDays(performed.withinDays()));
        long count = 0;
        for (ProfileFacts.EventFact event : profile.events(performed.event())) {
            if (event.at().isBefore(from) || event.at().isAfter(now)) {
                continue;
            }
            boolean passes = true;
            for (Condition.PropertyFilter filter : performed.where()) {
                if (!filter(filter, event.properties().get(filter.property()))) {
                    passes = false;
                    break;
                }
            }
            if (passes) {
                count++;
            }
        }
        return count;
    }

    /** Whether an event's property value (null: the event has none) passes the filter. */
    public static boolean passes(Condition.PropertyFilter filter, Object value) {
        return filter(filter, value);
    }

    private static boolean filter(Condition.PropertyFilter filter, Object value) {
        return typedScalar(filter.op(), filter.type(), value, filter.values());
    }

    private static boolean compare(Condition.Compare compare, Object value, Context context) {
        boolean missing = value == null || (value instanceof Collection<?> c && c.isEmpty());
        if (compare.op() == Op.MISSING) {
            return missing;
        }
        if (missing) {
            return false;
        }
        if (compare.op() == Op.EXISTS) {
            return true;
        }
        return switch (compare.type()) {
            case STRINGS -> strings(compare.op(), value, compare.values());
            case DATE -> date(compare, value, context);
            default -> typedScalar(compare.op(), compare.type(), value, compare.values());
        };
    }

    /**
     * A present value of another type than the condition's (a trait that changed type, a property
     * holding text where a number is asked) meets no comparison; it still exists. A number compares
     * as a double; anything asked as text compares as its text.
     */
    private static boolean typedScalar(Op op, FieldType type, Object value, List<Object> values) {
        if (op == Op.MISSING || op == Op.EXISTS || value == null) {
            return scalar(op, value, values);
        }
        Object typed = switch (type) {
            case NUMBER -> value instanceof Number n ? n.doubleValue() : null;
            case BOOLEAN -> value instanceof Boolean ? value : null;
            default -> value instanceof String ? value : String.valueOf(value);
        };
        return typed != null && scalar(op, typed, values);
    }

    private static boolean strings(Op op, Object value, List<Object> values) {
        if (!(value instanceof Collection<?> have)) {
            return false;
        }
        return switch (op) {
            case IN -> values.stream().anyMatch(have::contains);
            case NOT_IN -> values.stream().noneMatch(have::contains);
            case CONTAINS -> have.contains(values.get(0));
            default -> false;
        };
    }

    /** A scalar against the condition's values (both of one type, or the value null: never met). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean scalar(Op op, Object value, List<Object> values) {
        if (op == Op.MISSING) {
            return value == null;
        }
        if (value == null) {
            return false;
        }
        if (op == Op.EXISTS) {
            return true;
        }
        Comparable have = (Comparable) value;
        return switch (op) {
            case EQ -> have.compareTo(values.get(0)) == 0;
            case NE -> have.compareTo(values.get(0)) != 0;
            case LT -> have.compareTo(values.get(0)) < 0;
            case LTE -> have.compareTo(values.get(0)) <= 0;
            case GT -> have.compareTo(values.get(0)) > 0;
            case GTE -> have.compareTo(values.get(0)) >= 0;
            case BETWEEN -> have.compareTo(values.get(0)) >= 0 && have.compareTo(values.get(1)) <= 0;
            case IN -> values.stream().anyMatch(v -> have.compareTo(v) == 0);
            case NOT_IN -> values.stream().noneMatch(v -> have.compareTo(v) == 0);
            case CONTAINS -> value instanceof String s && s.contains((String) values.get(0));
            case STARTS_WITH -> value instanceof String s && s.startsWith((String) values.get(0));
            default -> false;
        };
    }

    private static boolean date(Condition.Compare compare, Object value, Context context) {
        ZoneId zone = context.zone();
        LocalDate day;
        Instant instant;
        if (value instanceof LocalDate d) {
            day = d;
            instant = d.atStartOfDay(zone).toInstant();
        } else if (value instanceof Instant i) {
            day = LocalDate.ofInstant(i, zone);
            instant = i;
        } else {
            return false;
        }
        LocalDate today = LocalDate.ofInstant(context.now(), zone);
        Instant now = context.now();
        Duration span = Duration.ofDays(compare.days());
        boolean byDay = value instanceof LocalDate;
        return switch (compare.op()) {
            case WITHIN_LAST ->
                byDay
                        ? !day.isBefore(today.minusDays(compare.days())) && !day.isAfter(today)
                        : !instant.isBefore(now.minus(span)) && !instant.isAfter(now);
            case WITHIN_NEXT ->
                byDay
                        ? !day.isBefore(today) && !day.isAfter(today.plusDays(compare.days()))
                        : !instant.isBefore(now) && !instant.isAfter(now.plus(span));
            case BEFORE_LAST ->
                byDay ? day.isBefore(today.minusDays(compare.days())) : instant.isBefore(now.minus(span));
            case ANNIVERSARY_WITHIN_NEXT -> {
                LocalDate next = day.withYear(today.getYear());
                if (next.isBefore(today)) {
                    next = day.withYear(today.getYear() + 1);
                }
                yield !next.isAfter(today.plusDays(compare.days()));
            }
            default -> {
                // absolute: a day compares by day, an instant as an instant
                List<Object> values = compare.values();
                boolean allDays = values.stream().allMatch(v -> v instanceof LocalDate);
                if (allDays) {
                    yield scalar(compare.op(), day, values);
                }
                List<Object> instants = values.stream()
                        .map(v -> v instanceof LocalDate d
                                ? (Object) d.atStartOfDay(zone).toInstant()
                                : v)
                        .toList();
                yield scalar(compare.op(), instant, instants);
            }
        };
    }

    /** The segments a condition refers to, directly. */
    public static Set<String> references(Condition condition) {
        Set<String> out = new java.util.LinkedHashSet<>();
        collect(condition, out);
        return out;
    }

    private static void collect(Condition condition, Set<String> out) {
        switch (condition) {
            case Condition.All all -> all.conditions().forEach(c -> collect(c, out));
            case Condition.Any any -> any.conditions().forEach(c -> collect(c, out));
            case Condition.Not not -> collect(not.condition(), out);
            case Condition.InSegment in -> out.add(in.segment());
            default -> {}
        }
    }
}
