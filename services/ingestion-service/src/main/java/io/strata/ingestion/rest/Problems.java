package io.strata.ingestion.rest;

import io.strata.ingestion.domain.IngestionException;
import io.strata.platform.errors.Problem;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** The service's refusals as HTTP answers: problem+json (services/platform), Retry-After when there is one. */
final class Problems {

    private Problems() {}

    static Response of(IngestionException e) {
        Response.Status status = switch (e.kind()) {
            case INVALID -> Response.Status.BAD_REQUEST;
            case UNAUTHENTICATED -> Response.Status.UNAUTHORIZED;
            case NOT_FOUND -> Response.Status.NOT_FOUND;
            case TOO_LARGE, STREAM_LIMIT -> Response.Status.REQUEST_ENTITY_TOO_LARGE;
            case RATE_LIMITED -> Response.Status.TOO_MANY_REQUESTS;
            case UNAVAILABLE -> Response.Status.SERVICE_UNAVAILABLE;
        };
        Problem body = Problem.of(status.getStatusCode(), status.getReasonPhrase(), e.getMessage(), e.field())
                .withReason(e.reason() == null ? null : e.reason().name());
        return response(body, e.retryAfterSeconds());
    }

    static Response response(Problem body, long retryAfterSeconds) {
        Response.ResponseBuilder response =
                Response.status(body.status()).type(Problem.MEDIA_TYPE).entity(body);
        if (retryAfterSeconds > 0) {
            response.header(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        }
        return response.build();
    }
}
