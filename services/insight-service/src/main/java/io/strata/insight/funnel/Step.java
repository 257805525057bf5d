package io.strata.insight.funnel;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A funnel step (or an exclusion): an event name and filters on its properties, all of which must
 * hold. {@code maxGap}, when set, is the step's own conversion window: the longest time since the
 * step before it.
 */
public record Step(String label, String event, List<Filter> filters, java.time.Duration maxGap) {

    public Step {
        Objects.requireNonNull(event, "event");
        filters = filters == null ? List.of() : List.copyOf(filters);
        label = label == null || label.isBlank() ? event : label;
    }

    public static Step of(String event) {
        return new Step(event, event, List.of(), null);
    }

    public Step where(Filter filter) {
        List<Filter> more = new java.util.ArrayList<>(filters);
        more.add(filter);
        return new Step(label, event, more, maxGap);
    }

    public Step within(java.time.Duration gap) {
        return new Step(label, event, filters, gap);
    }

    public Step labelled(String newLabel) {
        return new Step(newLabel, event, filters, maxGap);
    }

    boolean matches(Event e) {
        if (!event.equals(e.name())) {
            return false;
        }
        for (Filter filter : filters) {
            if (!filter.test(e.properties())) {
                return false;
            }
        }
        return true;
    }

    /** A condition on one property: =, ≠, in, >, ≥, <, ≤ (numbers compared as numbers). */
    public record Filter(String property, Op op, List<Object> values) {

        public enum Op {
            EQ,
            NE,
            IN,
            GT,
            GTE,
            LT,
            LTE
        }

        public static Filter eq(String property, Object value) {
            return new Filter(property, Op.EQ, List.of(value));
        }

        public static Filter gte(String property, double value) {
            return new Filter(property, Op.GTE, List.of(value));
        }

        boolean test(Map<String, Object> properties) {
            Object actual = properties.get(property);
            if (actual == null) {
                return op == Op.NE;
            }
            return switch (op) {
                case EQ -> same(actual, values.get(0));
                case NE -> !same(actual, values.get(0));
                case IN -> values.stream().anyMatch(v -> same(actual, v));
                case GT -> number(actual) > number(values.get(0));
                case GTE -> number(actual) >= number(values.get(0));
                case LT -> number(actual) < number(values.get(0));
                case LTE -> number(actual) <= number(values.get(0));
            };
        }

        private static boolean same(Object a, Object b) {
            if (a instanceof Number x && b instanceof Number y) {
                return x.doubleValue() == y.doubleValue();
            }
            return String.valueOf(a).equals(String.valueOf(b));
        }

        /**
         * What a property holding a number looks like: a decimal number with an optional exponent
         * (no spaces, NaN, infinity, hexadecimal or type suffix). The engine's
         * funnel ({@code query.FunnelQuery}) reads numbers by the same pattern.
         */
        public static final String NUMBER = "[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?";

        private static final java.util.regex.Pattern NUMBER_PATTERN = java.util.regex.Pattern.compile(NUMBER);

        /** A filter's value or a property as a number: NaN when it is not one. */
        public static double number(Object value) {
            if (value instanceof Number n) {
                return n.doubleValue();
            }
            String text = String.valueOf(value);
            return NUMBER_PATTERN.matcher(text).matches() ? Double.parseDouble(text) : Double.NaN;
        }
    }
}
