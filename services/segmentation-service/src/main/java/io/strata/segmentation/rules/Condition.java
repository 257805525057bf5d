package io.strata.segmentation.rules;

import java.util.List;

/**
 * A segment's definition: conditions on a profile's fields, on the events it performed and on its
 * membership of other segments, nested with all/any/not. Built by {@link ConditionParser}, which
 * has checked every part; evaluated row-wise by {@link Evaluator}.
 */
public sealed interface Condition {

    /** Every condition holds (an empty list holds for every profile). */
    record All(List<Condition> conditions) implements Condition {
        public All {
            conditions = List.copyOf(conditions);
        }
    }

    /** At least one condition holds. */
    record Any(List<Condition> conditions) implements Condition {
        public Any {
            conditions = List.copyOf(conditions);
        }
    }

    record Not(Condition condition) implements Condition {}

    /**
     * A field compared: {@code values} are already of the field's type (String, Double, Boolean,
     * {@link java.time.Instant} or {@link java.time.LocalDate}); {@code days} for the relative dates.
     */
    record Compare(String field, FieldType type, Op op, List<Object> values, int days) implements Condition {
        public Compare {
            values = List.copyOf(values);
        }
    }

    /** How many times an event must have been performed. */
    enum Times {
        AT_LEAST,
        AT_MOST,
        EXACTLY
    }

    /**
     * The profile performed {@code event} {@code times} {@code count} times in the last
     * {@code withinDays} days (0: in all the data kept), counting only events whose properties pass
     * every filter.
     */
    record Performed(String event, Times times, long count, int withinDays, List<PropertyFilter> where)
            implements Condition {
        public Performed {
            where = List.copyOf(where);
        }
    }

    /** A filter on an event's property: a string or number compared as {@link Compare} does. */
    record PropertyFilter(String property, FieldType type, Op op, List<Object> values) {
        public PropertyFilter {
            values = List.copyOf(values);
        }
    }

    /** The profile is a member of another segment. */
    record InSegment(String segment) implements Condition {}
}
