package io.strata.gateway.rest;

import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** A request the API refuses, with the status and the field to name in the problem body. */
public class ApiException extends RuntimeException {

    private final Response.Status status;
    private final String field;

    public ApiException(Response.Status status, String message, String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(Response.Status.BAD_REQUEST, message, field);
    }

    /**
     * A whole-number query parameter within bounds; absent means the default. Declared as a String
     * so that text which is no number is a 400 naming it (a JAX-RS int parameter would be a 404).
     */
    public static int intParam(String name, String raw, int defaultValue, int min, int max) {
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw badRequest(name, name + " must be a whole number between " + min + " and " + max + ", not " + raw);
        }
        if (value < min || value > max) {
            throw badRequest(name, name + " must be between " + min + " and " + max);
        }
        return value;
    }

    /** An instant of a query parameter in RFC 3339 with its offset; text that is none is a 400 naming it. */
    public static Instant instantParam(String name, String raw) {
        try {
            return OffsetDateTime.parse(raw.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw badRequest(name, "an instant in RFC 3339 (2026-06-30T00:00:00+08:00), was '" + raw + "'");
        }
    }

    public Response.Status status() {
        return status;
    }

    public String field() {
        return field;
    }
}
