package io.strata.profile.tags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.strata.profile.domain.Behaviour;
import io.strata.profile.domain.IdentityType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A rule tag's rule, compiled from its JSON form (the language of {@code docs/tags.md}) and
 * evaluated against one profile ({@link TagInput}). Compiling checks everything a rule can get
 * wrong and names the field ({@link InvalidTagException}), so a stored rule always evaluates.
 */
public sealed interface TagRule {

    /** The rule's value for the profile, or null for no value. */
    JsonNode evaluate(TagInput in);

    /** What the rule reads: it is evaluated again only when one of them changed. */
    RuleInputs inputs();

    /** Tags this rule reads. */
    default Set<String> tagsRead() {
        return inputs().tags;
    }

    /** A boolean tag: true when the condition holds. */
    record When(Cond when, RuleInputs inputs) implements TagRule {
        @Override
        public JsonNode evaluate(TagInput in) {
            return when.test(in) ? BooleanNode.TRUE : null;
        }
    }

    /** An enum tag: the first case that holds, else the default. */
    record Cases(List<Map.Entry<JsonNode, Cond>> cases, JsonNode otherwise, RuleInputs inputs) implements TagRule {
        @Override
        public JsonNode evaluate(TagInput in) {
            for (var c : cases) {
                if (c.getValue().test(in)) {
                    return c.getKey();
                }
            }
            return otherwise;
        }
    }

    /** A number or date tag: a source's value. */
    record ValueOf(Source source, boolean date, RuleInputs inputs) implements TagRule {
        @Override
        public JsonNode evaluate(TagInput in) {
            Object value = in.value(source);
            if (value == null) {
                return null;
            }
            if (date) {
                LocalDate day = Values.date(value);
                return day == null ? null : TextNode.valueOf(day.toString());
            }
            BigDecimal number = Values.number(value);
            return number == null ? null : DecimalNode.valueOf(number.stripTrailingZeros());
        }
    }

    // ---- conditions -------------------------------------------------------------------------

    sealed interface Cond {
        boolean test(TagInput in);
    }

    record All(List<Cond> conds) implements Cond {
        @Override
        public boolean test(TagInput in) {
            for (Cond c : conds) {
                if (!c.test(in)) {
                    return false;
                }
            }
            return true;
        }
    }

    record Any(List<Cond> conds) implements Cond {
        @Override
        public boolean test(TagInput in) {
            for (Cond c : conds) {
                if (c.test(in)) {
                    return true;
                }
            }
            return false;
        }
    }

    record Not(Cond cond) implements Cond {
        @Override
        public boolean test(TagInput in) {
            return !cond.test(in);
        }
    }

    enum Op {
        EQ,
        NE,
        GT,
        GTE,
        LT,
        LTE,
        IN,
        EXISTS,
        CONTAINS
    }

    record Compare(Source source, Op op, JsonNode operand) implements Cond {
        @Override
        public boolean test(TagInput in) {
            Object value = in.value(source);
            return switch (op) {
                case EXISTS -> (value != null) == operand.asBoolean();
                case NE -> value == null || !Values.equal(value, operand);
                case EQ -> value != null && Values.equal(value, operand);
                case IN -> {
                    if (value == null) {
                        yield false;
                    }
                    for (JsonNode candidate : operand) {
                        if (Values.equal(value, candidate)) {
                            yield true;
                        }
                    }
                    yield false;
                }
                case CONTAINS ->
                    value != null
                            && Values.text(value)
                                    .toLowerCase(Locale.ROOT)
                                    .contains(operand.asText().toLowerCase(Locale.ROOT));
                case GT, GTE, LT, LTE -> {
                    Integer c = value == null ? null : Values.compare(value, operand);
                    yield c != null
                            && switch (op) {
                                case GT -> c > 0;
                                case GTE -> c >= 0;
                                case LT -> c < 0;
                                default -> c <= 0;
                            };
                }
            };
        }
    }

    // ---- sources ----------------------------------------------------------------------------

    /** Where a value comes from; null when the profile has none. */
    sealed interface Source {
        Object value(TagInput in);

        record Trait(List<String> path) implements Source {
            @Override
            public Object value(TagInput in) {
                JsonNode node = in.traits();
                for (String part : path) {
                    node = node == null ? null : node.get(part);
                }
                return Values.of(node);
            }
        }

        record Age(String trait) implements Source {
            @Override
            public Object value(TagInput in) {
                JsonNode node = in.traits() == null ? null : in.traits().get(trait);
                LocalDate born = node == null ? null : Values.date(Values.of(node));
                if (born == null || born.isAfter(in.localToday())) {
                    return null;
                }
                return BigDecimal.valueOf(Period.between(born, in.localToday()).getYears());
            }
        }

        record Event(String name, String measure) implements Source {
            @Override
            public Object value(TagInput in) {
                Behaviour.Stats stats = in.behaviour().events.get(name);
                return Values.measure(stats, measure, in.today(), in);
            }
        }

        record Orders(String measure) implements Source {
            @Override
            public Object value(TagInput in) {
                Behaviour.Orders orders = in.behaviour().orders;
                boolean none = orders == null || orders.n == 0;
                return switch (measure) {
                    case "count" -> BigDecimal.valueOf(none ? 0 : orders.n);
                    case "revenue" -> none ? BigDecimal.ZERO : orders.revenue;
                    case "average_order_value" -> none ? null : orders.average();
                    case "purchase_days" -> BigDecimal.valueOf(none ? 0 : orders.days.size());
                    case "days_since_first" -> none ? null : in.daysSince(orders.first);
                    case "days_since_last" -> none ? null : in.daysSince(orders.last);
                    default -> throw new IllegalStateException(measure);
                };
            }
        }

        record FacetValue(String dimension, String value, String measure) implements Source {
            @Override
            public Object value(TagInput in) {
                var values = in.behaviour().facets.get(dimension);
                Behaviour.Stats stats = values == null ? null : values.get(value);
                return Values.measure(stats, measure, in.today(), in);
            }
        }

        record FacetSummary(String dimension, String measure) implements Source {
            @Override
            public Object value(TagInput in) {
                var values = in.behaviour().facets.get(dimension);
                if ("distinct".equals(measure)) {
                    return BigDecimal.valueOf(values == null ? 0 : values.size());
                }
                if (values == null || values.isEmpty()) {
                    return null;
                }
                String top = null;
                long most = -1;
                for (var e : values.entrySet()) { // by name: the first of equals wins
                    if (e.getValue().n > most) {
                        most = e.getValue().n;
                        top = e.getKey();
                    }
                }
                return top;
            }
        }

        record Identities(IdentityType type) implements Source {
            @Override
            public Object value(TagInput in) {
                return BigDecimal.valueOf(in.identities(type));
            }
        }

        record Profile(String measure) implements Source {
            @Override
            public Object value(TagInput in) {
                var at = "days_since_first_seen".equals(measure) ? in.firstSeen() : in.lastSeen();
                return at == null ? null : in.daysSince(at.toEpochMilli());
            }
        }

        record Tag(String key) implements Source {
            @Override
            public Object value(TagInput in) {
                return Values.of(in.tag(key));
            }
        }
    }

    // ---- compiling ---------------------------------------------------------------------------

    Set<String> EVENT_MEASURES = Set.of(
            "count",
            "last_7_days",
            "last_30_days",
            "last_90_days",
            "last_365_days",
            "days_since_first",
            "days_since_last");
    Set<String> ORDER_MEASURES =
            Set.of("count", "revenue", "average_order_value", "purchase_days", "days_since_first", "days_since_last");
    Set<String> FACET_VALUE_MEASURES = Set.of("count", "days_since_last");
    Set<String> FACET_MEASURES = Set.of("distinct", "top");
    Set<String> PROFILE_MEASURES = Set.of("days_since_first_seen", "days_since_last_seen");
    int MAX_NODES = 200;

    /**
     * Compiles a rule for a tag of the value type.
     *
     * @param earlier tags defined before this one (the only ones a rule may read)
     * @throws InvalidTagException naming the field ("rule.when.all[1].of.event")
     */
    static TagRule compile(JsonNode rule, TagDefinition.ValueType type, List<String> enumValues, Set<String> earlier) {
        if (rule == null || !rule.isObject()) {
            throw new InvalidTagException("rule", "a rule tag needs a rule (an object)");
        }
        Compiler c = new Compiler(earlier);
        TagRule compiled;
        switch (type) {
            case BOOLEAN -> {
                c.only(rule, "rule", "when");
                compiled = new When(c.cond(c.required(rule, "when", "rule"), "rule.when"), c.inputs);
            }
            case ENUM -> {
                c.only(rule, "rule", "cases", "else");
                JsonNode cases = c.required(rule, "cases", "rule");
                if (!cases.isArray() || cases.isEmpty()) {
                    throw new InvalidTagException("rule.cases", "cases must be a non-empty array");
                }
                List<Map.Entry<JsonNode, Cond>> compiledCases = new ArrayList<>();
                for (int i = 0; i < cases.size(); i++) {
                    String at = "rule.cases[" + i + "]";
                    JsonNode one = cases.get(i);
                    c.only(one, at, "value", "when");
                    JsonNode value = c.required(one, "value", at);
                    c.enumValue(value, enumValues, at + ".value");
                    compiledCases.add(Map.entry(
                            TextNode.valueOf(value.asText()), c.cond(c.required(one, "when", at), at + ".when")));
                }
                JsonNode otherwise = rule.get("else");
                if (otherwise != null && !otherwise.isNull()) {
                    c.enumValue(otherwise, enumValues, "rule.else");
                    otherwise = TextNode.valueOf(otherwise.asText());
                } else {
                    otherwise = null;
                }
                compiled = new Cases(List.copyOf(compiledCases), otherwise, c.inputs);
            }
            case NUMBER, DATE -> {
                c.only(rule, "rule", "value");
                compiled = new ValueOf(
                        c.source(c.required(rule, "value", "rule"), "rule.value"),
                        type == TagDefinition.ValueType.DATE,
                        c.inputs);
            }
            default -> throw new IllegalStateException(type.name());
        }
        return compiled;
    }

    final class Compiler {
        private final Set<String> earlier;
        final RuleInputs inputs = new RuleInputs();
        private int nodes;

        Compiler(Set<String> earlier) {
            this.earlier = earlier;
        }

        JsonNode required(JsonNode node, String field, String at) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                throw new InvalidTagException(at + "." + field, field + " is required");
            }
            return value;
        }

        void only(JsonNode node, String at, String... fields) {
            if (!node.isObject()) {
                throw new InvalidTagException(at, at + " must be an object");
            }
            Set<String> allowed = Set.of(fields);
            node.fieldNames().forEachRemaining(name -> {
                if (!allowed.contains(name)) {
                    throw new InvalidTagException(
                            at + "." + name,
                            "unknown field " + name + " (expected one of "
                                    + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
                }
            });
        }

        void enumValue(JsonNode value, List<String> values, String at) {
            if (!value.isTextual() || !values.contains(value.asText())) {
                throw new InvalidTagException(at, "value " + value + " is not one of the tag's values " + values);
            }
        }

        Cond cond(JsonNode node, String at) {
            if (++nodes > MAX_NODES) {
                throw new InvalidTagException(at, "a rule has at most " + MAX_NODES + " conditions");
            }
            if (!node.isObject() || node.size() == 0) {
                throw new InvalidTagException(at, "a condition must be an object");
            }
            if (node.has("all") || node.has("any")) {
                String kind = node.has("all") ? "all" : "any";
                only(node, at, kind);
                JsonNode list = node.get(kind);
                if (!list.isArray() || list.isEmpty()) {
                    throw new InvalidTagException(at + "." + kind, kind + " must be a non-empty array of conditions");
                }
                List<Cond> conds = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    conds.add(cond(list.get(i), at + "." + kind + "[" + i + "]"));
                }
                return kind.equals("all") ? new All(List.copyOf(conds)) : new Any(List.copyOf(conds));
            }
            if (node.has("not")) {
                only(node, at, "not");
                return new Not(cond(node.get("not"), at + ".not"));
            }
            only(node, at, "of", "op", "value");
            Source source = source(required(node, "of", at), at + ".of");
            JsonNode opNode = required(node, "op", at);
            Op op;
            try {
                op = Op.valueOf(opNode.asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidTagException(
                        at + ".op", "unknown op " + opNode + " (eq, ne, gt, gte, lt, lte, in, exists, contains)");
            }
            JsonNode operand = node.get("value");
            if (operand == null || operand.isNull()) {
                throw new InvalidTagException(at + ".value", "value is required");
            }
            switch (op) {
                case IN -> {
                    if (!operand.isArray() || operand.isEmpty()) {
                        throw new InvalidTagException(at + ".value", "in needs a non-empty array");
                    }
                }
                case EXISTS -> {
                    if (!operand.isBoolean()) {
                        throw new InvalidTagException(at + ".value", "exists needs true or false");
                    }
                }
                case GT, GTE, LT, LTE -> {
                    if (!operand.isNumber() && !operand.isTextual()) {
                        throw new InvalidTagException(
                                at + ".value", op.name().toLowerCase(Locale.ROOT) + " needs a number or a text");
                    }
                }
                default -> {
                    if (!operand.isValueNode()) {
                        throw new InvalidTagException(at + ".value", "value must be a number, a text or a boolean");
                    }
                }
            }
            return new Compare(source, op, operand);
        }

        /** A source, noted among what the rule reads. */
        Source source(JsonNode node, String at) {
            Source source = parseSource(node, at);
            boolean daily = false;
            switch (source) {
                case Source.Trait t -> inputs.traits = true;
                case Source.Age a -> {
                    inputs.traits = true;
                    daily = true;
                }
                case Source.Event e -> {
                    inputs.events.add(e.name());
                    daily = !e.measure().equals("count");
                }
                case Source.Orders o -> {
                    inputs.orders = true;
                    daily = o.measure().startsWith("days_since");
                }
                case Source.FacetValue f -> {
                    inputs.facetValues.add(f.dimension() + "=" + f.value());
                    daily = f.measure().startsWith("days_since");
                }
                case Source.FacetSummary f -> inputs.facets.add(f.dimension());
                case Source.Identities i -> inputs.identities = true;
                case Source.Profile p -> {
                    inputs.seen = true;
                    daily = true;
                }
                case Source.Tag t -> inputs.tags.add(t.key());
            }
            inputs.time |= daily;
            return source;
        }

        private Source parseSource(JsonNode node, String at) {
            if (!node.isObject() || node.size() == 0) {
                throw new InvalidTagException(at, "a source must be an object");
            }
            if (node.has("trait")) {
                only(node, at, "trait");
                String path = text(node, "trait", at);
                return new Source.Trait(List.of(path.split("\\.")));
            }
            if (node.has("age")) {
                only(node, at, "age");
                return new Source.Age(text(node, "age", at));
            }
            if (node.has("event")) {
                only(node, at, "event", "measure");
                return new Source.Event(text(node, "event", at), measure(node, at, EVENT_MEASURES));
            }
            if (node.has("orders")) {
                only(node, at, "orders");
                String measure = text(node, "orders", at);
                if (!ORDER_MEASURES.contains(measure)) {
                    throw new InvalidTagException(
                            at + ".orders",
                            "unknown measure " + measure + " (one of " + new java.util.TreeSet<>(ORDER_MEASURES) + ")");
                }
                return new Source.Orders(measure);
            }
            if (node.has("facet")) {
                String dimension = text(node, "facet", at);
                if (!io.strata.profile.domain.Facet.DIMENSIONS.contains(dimension)) {
                    throw new InvalidTagException(
                            at + ".facet",
                            "unknown dimension " + dimension + " (one of " + io.strata.profile.domain.Facet.DIMENSIONS
                                    + ")");
                }
                if (node.has("value")) {
                    only(node, at, "facet", "value", "measure");
                    return new Source.FacetValue(
                            dimension, text(node, "value", at), measure(node, at, FACET_VALUE_MEASURES));
                }
                only(node, at, "facet", "measure");
                return new Source.FacetSummary(dimension, measure(node, at, FACET_MEASURES));
            }
            if (node.has("identities")) {
                only(node, at, "identities");
                String type = text(node, "identities", at);
                try {
                    return new Source.Identities(IdentityType.valueOf(type.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidTagException(at + ".identities", "unknown identifier type " + type);
                }
            }
            if (node.has("profile")) {
                only(node, at, "profile");
                String measure = text(node, "profile", at);
                if (!PROFILE_MEASURES.contains(measure)) {
                    throw new InvalidTagException(
                            at + ".profile",
                            "unknown measure " + measure + " (one of " + new java.util.TreeSet<>(PROFILE_MEASURES)
                                    + ")");
                }
                return new Source.Profile(measure);
            }
            if (node.has("tag")) {
                only(node, at, "tag");
                String key = text(node, "tag", at);
                if (!earlier.contains(key)) {
                    throw new InvalidTagException(at + ".tag", "tag " + key + " is not defined before this one");
                }
                return new Source.Tag(key);
            }
            throw new InvalidTagException(
                    at, "unknown source (trait, age, event, orders, facet, identities, profile, tag)");
        }

        private String measure(JsonNode node, String at, Set<String> allowed) {
            String measure = text(node, "measure", at);
            if (!allowed.contains(measure)) {
                throw new InvalidTagException(
                        at + ".measure",
                        "unknown measure " + measure + " (one of " + new java.util.TreeSet<>(allowed) + ")");
            }
            return measure;
        }

        private String text(JsonNode node, String field, String at) {
            JsonNode value = node.get(field);
            if (value == null || !value.isTextual() || value.asText().isBlank()) {
                throw new InvalidTagException(at + "." + field, field + " must be a non-empty text");
            }
            return value.asText();
        }
    }

    /** Values as rules see them: numbers as BigDecimal, texts, booleans. */
    final class Values {
        private Values() {}

        static Object of(JsonNode node) {
            if (node == null || node.isNull() || node.isMissingNode() || node.isContainerNode()) {
                return null;
            }
            if (node.isNumber()) {
                return node.decimalValue();
            }
            if (node.isBoolean()) {
                return node.booleanValue();
            }
            return node.asText();
        }

        static Object measure(Behaviour.Stats stats, String measure, int today, TagInput in) {
            boolean none = stats == null || stats.n == 0;
            return switch (measure) {
                case "count" -> BigDecimal.valueOf(none ? 0 : stats.n);
                case "last_7_days" -> BigDecimal.valueOf(none ? 0 : stats.window(today, 7));
                case "last_30_days" -> BigDecimal.valueOf(none ? 0 : stats.window(today, 30));
                case "last_90_days" -> BigDecimal.valueOf(none ? 0 : stats.window(today, 90));
                case "last_365_days" -> BigDecimal.valueOf(none ? 0 : stats.window(today, 365));
                case "days_since_first" -> none ? null : in.daysSince(stats.first);
                case "days_since_last" -> none ? null : in.daysSince(stats.last);
                default -> throw new IllegalStateException(measure);
            };
        }

        static BigDecimal number(Object value) {
            if (value instanceof BigDecimal d) {
                return d;
            }
            if (value instanceof String s) {
                try {
                    return new BigDecimal(s.strip());
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return null;
        }

        static BigDecimal number(JsonNode node) {
            return node.isNumber() ? node.decimalValue() : number(node.asText());
        }

        static String text(Object value) {
            return value instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : String.valueOf(value);
        }

        static LocalDate date(Object value) {
            if (!(value instanceof String s) || s.length() < 10) {
                return null;
            }
            try {
                return LocalDate.parse(s.substring(0, 10));
            } catch (DateTimeParseException e) {
                return null;
            }
        }

        static boolean equal(Object value, JsonNode operand) {
            if (value instanceof BigDecimal d) {
                BigDecimal other = number(operand);
                return other != null && d.compareTo(other) == 0;
            }
            if (value instanceof Boolean b) {
                return operand.isBoolean()
                        ? operand.booleanValue() == b
                        : String.valueOf(b).equals(operand.asText());
            }
            if (operand.isNumber()) {
                BigDecimal mine = number(value);
                return mine != null && mine.compareTo(operand.decimalValue()) == 0;
            }
            return text(value).equals(operand.asText());
        }

        /** Numbers as numbers when both are, else text order; null when they cannot be compared. */
        static Integer compare(Object value, JsonNode operand) {
            BigDecimal mine = number(value);
            BigDecimal other = number(operand);
            if (mine != null && other != null) {
                return mine.compareTo(other);
            }
            if (operand.isNumber() || value instanceof BigDecimal || value instanceof Boolean) {
                return null;
            }
            return text(value).compareTo(operand.asText());
        }
    }

    /** JSON factory of tag values. */
    JsonNodeFactory NODES = JsonNodeFactory.instance;
}
