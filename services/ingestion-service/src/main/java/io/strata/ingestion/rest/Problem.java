package io.strata.ingestion.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.strata.ingestion.domain.IngestionException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** The error body (RFC 9457 problem details), with the offending field when there is one. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String field, Object rejected) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Response response(Response.Status status, String detail, String field) {
        return response(status, detail, field, null);
    }

    public static Response response(Response.Status status, String detail, String field, Object rejected) {
        return Response.status(status)
                .type(MEDIA_TYPE)
                .entity(new Problem(
                        "about:blank",
                        status.getReasonPhrase(),
                        status.getStatusCode(),
                        detail,
                        field == null || field.isEmpty() ? null : field,
                        rejected))
                .build();
    }

    public static Response of(IngestionException e) {
        Response.Status status = switch (e.kind()) {
            case INVALID -> Response.Status.BAD_REQUEST;
            case UNAUTHENTICATED -> Response.Status.UNAUTHORIZED;
            case TOO_LARGE -> Response.Status.REQUEST_ENTITY_TOO_LARGE;
            case RATE_LIMITED -> Response.Status.TOO_MANY_REQUESTS;
            case UNAVAILABLE -> Response.Status.SERVICE_UNAVAILABLE;
        };
        Response response = response(status, e.getMessage(), e.field());
        if (e.retryAfterSeconds() > 0) {
            return Response.fromResponse(response)
                    .header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds())
                    .build();
        }
        return response;
    }
}
