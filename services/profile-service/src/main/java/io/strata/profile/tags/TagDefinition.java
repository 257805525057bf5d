package io.strata.profile.tags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One tag of a tenant's catalog (see {@code docs/tags.md}): its key, names, kind, value type,
 * category path, owner, description and, for a rule tag, its compiled rule.
 *
 * @param json the definition as given (the stored and the API form)
 */
public record TagDefinition(
        String key,
        String name,
        String nameZh,
        Kind kind,
        ValueType valueType,
        List<String> values,
        String category,
        String owner,
        String description,
        TagRule rule,
        boolean standard,
        ObjectNode json) {

    public enum Kind {
        MANUAL,
        RULE,
        MODEL
    }

    public enum ValueType {
        BOOLEAN,
        ENUM,
        NUMBER,
        DATE
    }

    public static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]{1,62}");
    private static final Pattern CATEGORY = Pattern.compile("[a-z0-9_]+(/[a-z0-9_]+){0,5}");
    private static final Set<String> FIELDS =
            Set.of("key", "name", "nameZh", "kind", "valueType", "values", "category", "owner", "description", "rule");
    static final int MAX_VALUES = 100;
    static final int MAX_TEXT = 500;

    /**
     * Reads and checks a definition.
     *
     * @param earlier keys defined before it (the tags its rule may read)
     * @throws InvalidTagException naming the field
     */
    public static TagDefinition parse(JsonNode node, Set<String> earlier, boolean standard) {
        if (node == null || !node.isObject()) {
            throw new InvalidTagException("definition", "a tag definition must be an object");
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw new InvalidTagException(f, "unknown field " + f);
            }
        });
        String key = text(node, "key", true);
        if (!KEY.matcher(key).matches()) {
            throw new InvalidTagException("key", "key must match " + KEY.pattern());
        }
        String name = text(node, "name", true);
        String nameZh = text(node, "nameZh", false);
        Kind kind = choice(node, "kind", Kind.class);
        ValueType valueType = choice(node, "valueType", ValueType.class);
        List<String> values = List.of();
        JsonNode valuesNode = node.get("values");
        if (valueType == ValueType.ENUM) {
            if (valuesNode == null || !valuesNode.isArray() || valuesNode.isEmpty() || valuesNode.size() > MAX_VALUES) {
                throw new InvalidTagException("values", "an enum tag needs 1 to " + MAX_VALUES + " values");
            }
            Set<String> distinct = new LinkedHashSet<>();
            for (int i = 0; i < valuesNode.size(); i++) {
                JsonNode v = valuesNode.get(i);
                if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > 100 || !distinct.add(v.asText())) {
                    throw new InvalidTagException(
                            "values[" + i + "]", "values must be distinct non-empty texts of at most 100 characters");
                }
            }
            values = List.copyOf(distinct);
        } else if (valuesNode != null && !valuesNode.isNull()) {
            throw new InvalidTagException("values", "only enum tags have values");
        }
        String category = text(node, "category", true);
        if (!CATEGORY.matcher(category).matches()) {
            throw new InvalidTagException(
                    "category", "category must be a path like lifecycle/purchase ([a-z0-9_] parts, at most 6)");
        }
        String owner = text(node, "owner", false);
        String description = text(node, "description", false);
        JsonNode ruleNode = node.get("rule");
        TagRule rule = null;
        if (kind == Kind.RULE) {
            rule = TagRule.compile(ruleNode, valueType, values, earlier);
        } else if (ruleNode != null && !ruleNode.isNull()) {
            throw new InvalidTagException("rule", "only rule tags have a rule");
        }
        return new TagDefinition(
                key,
                name,
                nameZh,
                kind,
                valueType,
                values,
                category,
                owner,
                description,
                rule,
                standard,
                node.deepCopy());
    }

    /**
     * A value given as text (API, CSV) in this tag's type: true/false, one of the values, a number,
     * a date yyyy-MM-dd.
     *
     * @throws InvalidTagException (field "value") when it is not one
     */
    public JsonNode value(String raw) {
        String text = raw == null ? "" : raw.strip();
        if (text.isEmpty()) {
            throw new InvalidTagException("value", "value is required");
        }
        return switch (valueType) {
            case BOOLEAN ->
                switch (text.toLowerCase(Locale.ROOT)) {
                    case "true", "1", "yes" -> BooleanNode.TRUE;
                    case "false", "0", "no" -> BooleanNode.FALSE;
                    default ->
                        throw new InvalidTagException("value", "tag " + key + " takes true or false, not " + text);
                };
            case ENUM -> {
                if (!values.contains(text)) {
                    throw new InvalidTagException("value", "tag " + key + " takes one of " + values + ", not " + text);
                }
                yield TextNode.valueOf(text);
            }
            case NUMBER -> {
                try {
                    yield DecimalNode.valueOf(new BigDecimal(text).stripTrailingZeros());
                } catch (NumberFormatException e) {
                    throw new InvalidTagException("value", "tag " + key + " takes a number, not " + text);
                }
            }
            case DATE -> {
                try {
                    yield TextNode.valueOf(LocalDate.parse(text).toString());
                } catch (DateTimeParseException e) {
                    throw new InvalidTagException("value", "tag " + key + " takes a date yyyy-MM-dd, not " + text);
                }
            }
        };
    }

    /** The top-level group of the category ("lifecycle" of "lifecycle/purchase"). */
    public String group() {
        int slash = category.indexOf('/');
        return slash < 0 ? category : category.substring(0, slash);
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new InvalidTagException(field, field + " is required");
            }
            return "";
        }
        if (!value.isTextual()
                || (required && value.asText().isBlank())
                || value.asText().length() > MAX_TEXT) {
            throw new InvalidTagException(
                    field,
                    field + " must be a " + (required ? "non-empty " : "") + "text of at most " + MAX_TEXT
                            + " characters");
        }
        return value.asText().strip();
    }

    private static <E extends Enum<E>> E choice(JsonNode node, String field, Class<E> type) {
        String text = text(node, field, true);
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                names.add(c.name().toLowerCase(Locale.ROOT));
            }
            throw new InvalidTagException(field, field + " must be one of " + names + ", not " + text);
        }
    }
}
