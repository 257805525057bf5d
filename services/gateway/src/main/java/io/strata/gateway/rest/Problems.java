package io.strata.gateway.rest;

import io.strata.platform.errors.HttpProblems;
import io.strata.platform.errors.Problem;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** The API's one error shape (RFC 9457 problem details, services/platform {@link Problem}) as a response. */
public final class Problems {

    private Problems() {}

    public static Response response(Response.StatusType status, String detail, String field) {
        return response(Problem.of(status.getStatusCode(), status.getReasonPhrase(), detail, field), 0);
    }

    public static Response response(Problem body, long retryAfterSeconds) {
        Response.ResponseBuilder response =
                Response.status(body.status()).type(Problem.MEDIA_TYPE).entity(body);
        if (retryAfterSeconds > 0) {
            response.header(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        }
        return response.build();
    }

    public static Response of(HttpProblems.HttpProblem problem) {
        return response(problem.body(), problem.retryAfterSeconds());
    }
}
