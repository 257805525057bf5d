package io.strata.segmentation.rules;

/** What a field of a profile holds, which decides the operators a condition may use on it. */
public enum FieldType {
    STRING,
    NUMBER,
    BOOLEAN,
    /** An instant or a calendar date (a birthday): compared as the start of its day in the tenant's zone. */
    DATE,
    /** Several strings at once (the channels, categories or devices a profile was seen with). */
    STRINGS;

    /** The name used in definitions and errors. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
