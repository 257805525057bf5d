package io.strata.profile.tags;

/** A tag definition, rule or value that cannot be accepted; names the field at fault. */
public final class InvalidTagException extends RuntimeException {

    private final String field;

    public InvalidTagException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
