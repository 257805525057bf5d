package io.strata.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.grpc.StatusRuntimeException;
import io.quarkus.oidc.client.OidcClientException;
import io.strata.platform.errors.HttpProblems;
import io.strata.platform.logging.LogSafe;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps what the services and the API refuse to problem+json, never leaking internals. A service's
 * error says in typed details which field is at fault and how long to wait (services/platform
 * {@link HttpProblems}): nothing here reads a description.
 */
public class ExceptionMappers {

    private static final Logger LOG = Logger.getLogger(ExceptionMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return Problems.response(e.status(), e.getMessage(), e.field());
    }

    @ServerExceptionMapper
    public Response grpc(StatusRuntimeException e) {
        HttpProblems.HttpProblem problem = HttpProblems.of(e, ExceptionMappers::fieldName);
        if (problem.failure()) {
            LOG.warnf("a service call failed: %s", LogSafe.text(e.getStatus()));
        }
        return Problems.of(problem);
    }

    /**
     * The REST API's name of a field a service named: its proto path in the API's spelling, without
     * the message it sits in ({@code header.source_id} is the path's {@code id}, {@code page.page_size}
     * the query's {@code pageSize}). A journey's node keeps its place: {@code definition.nodes.wait.for}
     * is {@code nodes.wait.for}, the node {@code wait}'s field {@code for} in the body sent.
     */
    static String fieldName(String field) {
        if (field == null || field.isEmpty()) {
            return null;
        }
        if (field.startsWith("definition.nodes.")) {
            return field.substring("definition.".length());
        }
        String last = field.substring(field.lastIndexOf('.') + 1);
        return last.equals("source_id") ? "id" : HttpProblems.camel(last);
    }

    /** What the REST layer itself refuses (unreadable JSON, wrong media type, unknown method...), in the one shape. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            LOG.errorf(e, "request failed");
            return Problems.response(Response.Status.INTERNAL_SERVER_ERROR, "the request failed", null);
        }
        return Problems.response(status, e.getMessage(), null);
    }

    /** A request body that is not the JSON it should be. */
    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return Problems.response(Response.Status.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage(), null);
    }

    /** The gateway cannot get its own service token (Keycloak down, wrong client secret). */
    @ServerExceptionMapper
    public Response serviceToken(OidcClientException e) {
        LOG.errorf("no service token for the call to a service: %s", LogSafe.text(e.getMessage()));
        return unavailable();
    }

    @ServerExceptionMapper
    public Response timeout(TimeoutException e) {
        return unavailable();
    }

    private static Response unavailable() {
        return Problems.response(
                io.strata.platform.errors.Problem.of(
                        503, "Service Unavailable", "the service is unavailable; retry later", null),
                HttpProblems.DEFAULT_RETRY.toSeconds());
    }
}
