package io.strata.gateway.rest;

import jakarta.ws.rs.core.Response;

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

    public Response.Status status() {
        return status;
    }

    public String field() {
        return field;
    }
}
