package io.strata.segmentation.rules;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The operators of a field condition, with the types each applies to and how many values it takes. */
public enum Op {
    EQ(Arity.ONE, FieldType.STRING, FieldType.NUMBER, FieldType.BOOLEAN, FieldType.DATE),
    NE(Arity.ONE, FieldType.STRING, FieldType.NUMBER, FieldType.BOOLEAN, FieldType.DATE),
    LT(Arity.ONE, FieldType.NUMBER, FieldType.DATE),
    LTE(Arity.ONE, FieldType.NUMBER, FieldType.DATE),
    GT(Arity.ONE, FieldType.NUMBER, FieldType.DATE),
    GTE(Arity.ONE, FieldType.NUMBER, FieldType.DATE),
    BETWEEN(Arity.TWO, FieldType.NUMBER, FieldType.DATE),
    IN(Arity.MANY, FieldType.STRING, FieldType.NUMBER, FieldType.STRINGS),
    NOT_IN(Arity.MANY, FieldType.STRING, FieldType.NUMBER, FieldType.STRINGS),
    CONTAINS(Arity.ONE, FieldType.STRING, FieldType.STRINGS),
    STARTS_WITH(Arity.ONE, FieldType.STRING),
    EXISTS(Arity.NONE, FieldType.values()),
    MISSING(Arity.NONE, FieldType.values()),
    /** The date lies in the last {@code days} days, up to now. */
    WITHIN_LAST(Arity.DAYS, FieldType.DATE),
    /** The date lies in the next {@code days} days, from now. */
    WITHIN_NEXT(Arity.DAYS, FieldType.DATE),
    /** The date lies more than {@code days} days ago. */
    BEFORE_LAST(Arity.DAYS, FieldType.DATE),
    /** The date's anniversary (its month and day, e.g. a birthday) falls today or in the next {@code days} days. */
    ANNIVERSARY_WITHIN_NEXT(Arity.DAYS, FieldType.DATE);

    /** What an operator takes besides the field. */
    public enum Arity {
        NONE,
        ONE,
        TWO,
        MANY,
        DAYS
    }

    private final Arity arity;
    private final Set<FieldType> types;

    Op(Arity arity, FieldType... types) {
        this.arity = arity;
        this.types = EnumSet.copyOf(Arrays.asList(types));
    }

    public Arity arity() {
        return arity;
    }

    public boolean appliesTo(FieldType type) {
        return types.contains(type);
    }

    /** The name used in definitions ("not_in"). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Op> of(String label) {
        for (Op op : values()) {
            if (op.label().equals(label)) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }

    /** The operators that apply to a type, for error messages. */
    public static String labelsFor(FieldType type) {
        StringBuilder out = new StringBuilder();
        for (Op op : values()) {
            if (op.appliesTo(type)) {
                out.append(out.isEmpty() ? "" : ", ").append(op.label());
            }
        }
        return out.toString();
    }
}
