package io.strata.segmentation.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a definition's JSON into a {@link Condition}, checking every part against the tenant's
 * {@link FieldCatalog}. All problems are reported at once, each with its place in the definition
 * ({@link Violation}); nothing partial is returned. The form is documented in {@code docs/segments.md}.
 */
public final class ConditionParser {

    /** The most values an in / not_in list may hold (a longer list belongs in a static audience). */
    public static final int MAX_VALUES = 10_000;
    /** The longest relative date, in days (a hundred years). */
    public static final int MAX_DAYS = 36_500;
    /** The deepest nesting of all/any/not. */
    public static final int MAX_DEPTH = 32;

    private static final Set<String> FIELD_KEYS = Set.of("field", "op", "value", "days");
    private static final Set<String> EVENT_KEYS = Set.of("event", "times", "within_days", "where");
    private static final Set<String> FILTER_KEYS = Set.of("property", "op", "value");
    private static final Set<Op> FILTER_OPS = Set.of(
            Op.EQ,
            Op.NE,
            Op.LT,
            Op.LTE,
            Op.GT,
            Op.GTE,
            Op.BETWEEN,
            Op.IN,
            Op.NOT_IN,
            Op.CONTAINS,
            Op.STARTS_WITH,
            Op.EXISTS,
            Op.MISSING);

    private final FieldCatalog catalog;

    public ConditionParser(FieldCatalog catalog) {
        this.catalog = catalog;
    }

    /** The definition's condition; {@link InvalidConditionException} with every violation otherwise. */
    public Condition parse(JsonNode definition) {
        List<Violation> violations = new ArrayList<>();
        Condition condition = condition(definition, "", 0, violations);
        if (!violations.isEmpty()) {
            throw new InvalidConditionException(violations);
        }
        return condition;
    }

    private Condition condition(JsonNode node, String path, int depth, List<Violation> out) {
        String here = path.isEmpty() ? "$" : path;
        if (node == null || !node.isObject()) {
            out.add(new Violation(here, "a condition is an object (all, any, not, field, event or segment)"));
            return null;
        }
        if (depth > MAX_DEPTH) {
            out.add(new Violation(here, "conditions nest at most " + MAX_DEPTH + " deep"));
            return null;
        }
        List<String> kinds = new ArrayList<>();
        for (String kind : List.of("all", "any", "not", "field", "event", "segment")) {
            if (node.has(kind)) {
                kinds.add(kind);
            }
        }
        if (kinds.size() != 1) {
            out.add(new Violation(
                    here,
                    kinds.isEmpty()
                            ? "a condition needs one of all, any, not, field, event, segment"
                            : "a condition is one of " + String.join(", ", kinds) + ", not several: nest them in all"));
            return null;
        }
        String kind = kinds.get(0);
        String at = path.isEmpty() ? kind : path + "." + kind;
        return switch (kind) {
            case "all", "any" -> {
                onlyKeys(node, Set.of(kind), path, out);
                JsonNode list = node.get(kind);
                if (!list.isArray() || list.isEmpty()) {
                    out.add(new Violation(at, kind + " is a non-empty list of conditions"));
                    yield null;
                }
                List<Condition> parts = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    parts.add(condition(list.get(i), at + "[" + i + "]", depth + 1, out));
                }
                if (parts.contains(null)) {
                    yield null; // its violations are recorded
                }
                yield kind.equals("all") ? new Condition.All(parts) : new Condition.Any(parts);
            }
            case "not" -> {
                onlyKeys(node, Set.of("not"), path, out);
                Condition inner = condition(node.get("not"), at, depth + 1, out);
                yield inner == null ? null : new Condition.Not(inner);
            }
            case "segment" -> {
                onlyKeys(node, Set.of("segment"), path, out);
                JsonNode id = node.get("segment");
                if (!id.isTextual() || id.asText().isBlank()) {
                    out.add(new Violation(at, "segment is the id of another segment"));
                    yield null;
                }
                yield new Condition.InSegment(id.asText());
            }
            case "event" -> performed(node, path, out);
            default -> compare(node, path, out);
        };
    }

    private Condition compare(JsonNode node, String path, List<Violation> out) {
        int before = out.size();
        onlyKeys(node, FIELD_KEYS, path, out);
        JsonNode fieldNode = node.get("field");
        if (!fieldNode.isTextual() || fieldNode.asText().isBlank()) {
            out.add(new Violation(join(path, "field"), "field is a field's name, e.g. traits.city or orders.revenue"));
            return null;
        }
        String field = fieldNode.asText();
        FieldType type = catalog.type(field).orElse(null);
        if (type == null) {
            out.add(new Violation(join(path, "field"), "unknown field " + field));
            return null;
        }
        Op op = operator(node, path, out);
        if (op == null) {
            return null;
        }
        if (!op.appliesTo(type)) {
            out.add(new Violation(
                    join(path, "op"),
                    "operator " + op.label() + " does not apply to " + type.label() + " field " + field + " (it takes "
                            + Op.labelsFor(type) + ")"));
            return null;
        }
        List<Object> values = values(node, path, type, op, out);
        int days = 0;
        if (op.arity() == Op.Arity.DAYS) {
            days = days(node.get("days"), join(path, "days"), MAX_DAYS, out);
        } else if (node.has("days")) {
            out.add(new Violation(join(path, "days"), "days goes with the relative dates only (within_last, …)"));
        }
        return out.size() > before ? null : new Condition.Compare(field, type, op, values, days);
    }

    private Condition performed(JsonNode node, String path, List<Violation> out) {
        int before = out.size();
        onlyKeys(node, EVENT_KEYS, path, out);
        JsonNode event = node.get("event");
        if (!event.isTextual() || event.asText().isBlank()) {
            out.add(new Violation(join(path, "event"), "event is an event's name, e.g. Order Completed"));
        }
        Condition.Times times = Condition.Times.AT_LEAST;
        long count = 1;
        JsonNode timesNode = node.get("times");
        if (timesNode != null) {
            String at = join(path, "times");
            if (!timesNode.isObject()) {
                out.add(new Violation(at, "times is {\"op\": \"at_least\" | \"at_most\" | \"exactly\", \"value\": N}"));
            } else {
                onlyKeys(timesNode, Set.of("op", "value"), at, out);
                JsonNode op = timesNode.get("op");
                try {
                    times = Condition.Times.valueOf(
                            op == null ? "" : op.asText().toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    out.add(new Violation(join(at, "op"), "times.op is at_least, at_most or exactly"));
                }
                JsonNode value = timesNode.get("value");
                if (value == null || !value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 0) {
                    out.add(new Violation(join(at, "value"), "times.value is a whole number ≥ 0"));
                } else {
                    count = value.asLong();
                }
            }
        }
        int withinDays = 0;
        if (node.has("within_days")) {
            withinDays = days(node.get("within_days"), join(path, "within_days"), MAX_DAYS, out);
            if (withinDays > catalog.eventRetentionDays()) {
                out.add(new Violation(
                        join(path, "within_days"),
                        "a window of " + withinDays + " days is longer than the " + catalog.eventRetentionDays()
                                + " days of events kept"));
            }
        }
        List<Condition.PropertyFilter> where = new ArrayList<>();
        JsonNode filters = node.get("where");
        if (filters != null) {
            String at = join(path, "where");
            if (!filters.isArray()) {
                out.add(new Violation(at, "where is a list of property filters"));
            } else {
                for (int i = 0; i < filters.size(); i++) {
                    Condition.PropertyFilter filter = filter(filters.get(i), at + "[" + i + "]", out);
                    if (filter != null) {
                        where.add(filter);
                    }
                }
            }
        }
        return out.size() > before ? null : new Condition.Performed(event.asText(), times, count, withinDays, where);
    }

    private Condition.PropertyFilter filter(JsonNode node, String path, List<Violation> out) {
        if (node == null || !node.isObject()) {
            out.add(new Violation(path, "a property filter is {\"property\": …, \"op\": …, \"value\": …}"));
            return null;
        }
        int before = out.size();
        onlyKeys(node, FILTER_KEYS, path, out);
        JsonNode property = node.get("property");
        if (property == null || !property.isTextual() || property.asText().isBlank()) {
            out.add(new Violation(join(path, "property"), "property is the name of one of the event's properties"));
            return null;
        }
        Op op = operator(node, path, out);
        if (op == null) {
            return null;
        }
        if (!FILTER_OPS.contains(op)) {
            out.add(new Violation(
                    join(path, "op"), "operator " + op.label() + " does not apply to an event's property"));
            return null;
        }
        // a property's type is its value's: a number compares as a number, anything else as text
        FieldType type = FieldType.STRING;
        JsonNode value = node.get("value");
        JsonNode sample = value != null && value.isArray() && !value.isEmpty() ? value.get(0) : value;
        if (sample != null && sample.isNumber()) {
            type = FieldType.NUMBER;
        } else if (sample != null && sample.isBoolean()) {
            type = FieldType.BOOLEAN;
        }
        if (!op.appliesTo(type)) {
            out.add(new Violation(
                    join(path, "op"), "operator " + op.label() + " does not apply to a " + type.label() + " value"));
            return null;
        }
        List<Object> values = values(node, path, type, op, out);
        return out.size() > before ? null : new Condition.PropertyFilter(property.asText(), type, op, values);
    }

    private static Op operator(JsonNode node, String path, List<Violation> out) {
        JsonNode op = node.get("op");
        if (op == null || !op.isTextual()) {
            out.add(new Violation(join(path, "op"), "op is required"));
            return null;
        }
        Op found = Op.of(op.asText()).orElse(null);
        if (found == null) {
            out.add(new Violation(join(path, "op"), "unknown operator " + op.asText()));
        }
        return found;
    }

    private static List<Object> values(JsonNode node, String path, FieldType type, Op op, List<Violation> out) {
        String at = join(path, "value");
        JsonNode value = node.get("value");
        List<Object> values = new ArrayList<>();
        switch (op.arity()) {
            case NONE, DAYS -> {
                if (value != null) {
                    out.add(new Violation(at, "operator " + op.label() + " takes no value"));
                }
            }
            case ONE -> {
                if (value == null || value.isArray() || value.isObject() || value.isNull()) {
                    out.add(new Violation(at, "operator " + op.label() + " takes one value"));
                } else {
                    add(values, value, scalarType(type), at, out);
                }
            }
            case TWO -> {
                if (value == null || !value.isArray() || value.size() != 2) {
                    out.add(new Violation(at, "between takes two values, [low, high]"));
                } else {
                    add(values, value.get(0), type, at + "[0]", out);
                    add(values, value.get(1), type, at + "[1]", out);
                    if (values.size() == 2 && compare(values.get(0), values.get(1)) > 0) {
                        out.add(new Violation(at, "between's low value is above its high value"));
                    }
                }
            }
            case MANY -> {
                if (value == null || !value.isArray() || value.isEmpty()) {
                    out.add(new Violation(at, "operator " + op.label() + " takes a non-empty list of values"));
                } else if (value.size() > MAX_VALUES) {
                    out.add(new Violation(at, "at most " + MAX_VALUES + " values (a static audience holds more)"));
                } else {
                    for (int i = 0; i < value.size(); i++) {
                        add(values, value.get(i), scalarType(type), at + "[" + i + "]", out);
                    }
                }
            }
        }
        return values;
    }

    private static FieldType scalarType(FieldType type) {
        return type == FieldType.STRINGS ? FieldType.STRING : type;
    }

    private static void add(List<Object> values, JsonNode value, FieldType type, String at, List<Violation> out) {
        switch (type) {
            case STRING, STRINGS -> {
                if (value.isTextual()) {
                    values.add(value.asText());
                } else {
                    out.add(new Violation(at, "expected a string, got " + value));
                }
            }
            case NUMBER -> {
                if (value.isNumber() && Double.isFinite(value.asDouble())) {
                    values.add(value.asDouble());
                } else {
                    out.add(new Violation(at, "expected a number, got " + value));
                }
            }
            case BOOLEAN -> {
                if (value.isBoolean()) {
                    values.add(value.asBoolean());
                } else {
                    out.add(new Violation(at, "expected true or false, got " + value));
                }
            }
            case DATE -> {
                Object date = value.isTextual() ? date(value.asText()) : null;
                if (date == null) {
                    out.add(new Violation(
                            at, "expected a date (2026-03-31) or an instant (2026-03-31T08:00:00Z), got " + value));
                } else {
                    values.add(date);
                }
            }
        }
    }

    /** A calendar date or an instant; null when the text is neither. */
    static Object date(String text) {
        try {
            return text.length() == 10 ? LocalDate.parse(text) : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a instanceof LocalDate x && b instanceof Instant y) {
            return x.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().compareTo(y);
        }
        if (a instanceof Instant x && b instanceof LocalDate y) {
            return x.compareTo(y.atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
        }
        return ((Comparable) a).compareTo(b);
    }

    private static int days(JsonNode value, String at, int max, List<Violation> out) {
        if (value == null || !value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > max) {
            out.add(new Violation(at, "a whole number of days from 1 to " + max));
            return 0;
        }
        return value.asInt();
    }

    private static void onlyKeys(JsonNode node, Set<String> allowed, String path, List<Violation> out) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                out.add(new Violation(join(path, name), "unknown key " + name));
            }
        }
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
