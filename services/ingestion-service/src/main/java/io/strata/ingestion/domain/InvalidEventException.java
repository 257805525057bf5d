package io.strata.ingestion.domain;

/** An event that breaks the tracking spec; names the offending field. */
public class InvalidEventException extends RuntimeException {

    private final String field;

    public InvalidEventException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
