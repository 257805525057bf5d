package io.strata.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.oidc.client.OidcClientException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps what the services and the API refuse to problem+json, never leaking internals. */
public class ExceptionMappers {

    private static final Logger LOG = Logger.getLogger(ExceptionMappers.class);
    private static final Pattern FIELD = Pattern.compile("^([A-Za-z][A-Za-z0-9_.]*): (.+)$", Pattern.DOTALL);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return Problem.response(e.status(), e.getMessage(), e.field());
    }

    @ServerExceptionMapper
    public Response grpc(StatusRuntimeException e) {
        Status status = e.getStatus();
        return switch (status.getCode()) {
            case NOT_FOUND -> Problem.response(Response.Status.NOT_FOUND, status.getDescription(), null);
            case INVALID_ARGUMENT -> invalid(status.getDescription());
            case PERMISSION_DENIED -> Problem.response(Response.Status.FORBIDDEN, status.getDescription(), null);
            case UNAUTHENTICATED -> Problem.response(Response.Status.UNAUTHORIZED, status.getDescription(), null);
            case UNAVAILABLE, DEADLINE_EXCEEDED -> unavailable(e);
            case RESOURCE_EXHAUSTED ->
                Response.fromResponse(
                                Problem.response(Response.Status.TOO_MANY_REQUESTS, status.getDescription(), null))
                        .header("Retry-After", 5)
                        .build();
            default -> {
                LOG.errorf(e, "service call failed");
                yield Problem.response(Response.Status.BAD_GATEWAY, "a service failed to answer", null);
            }
        };
    }

    /** Services describe bad input as "field: message"; the field goes into the problem. */
    private static Response invalid(String description) {
        Matcher named = FIELD.matcher(description == null ? "" : description);
        if (named.matches()) {
            return Problem.response(Response.Status.BAD_REQUEST, named.group(2), camel(named.group(1)));
        }
        return Problem.response(Response.Status.BAD_REQUEST, description, null);
    }

    /** The REST API's spelling of a proto field name: source_id → sourceId. */
    static String camel(String field) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : field.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /** What the REST layer itself refuses (unreadable JSON, wrong media type, unknown method...), in the one shape. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            LOG.errorf(e, "request failed");
            return Problem.response(Response.Status.INTERNAL_SERVER_ERROR, "the request failed", null);
        }
        return Response.fromResponse(Problem.response(status, e.getMessage(), null))
                .build();
    }

    /** A request body that is not the JSON it should be. */
    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return Problem.response(Response.Status.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage(), null);
    }

    /** The gateway cannot get its own service token (Keycloak down, wrong client secret). */
    @ServerExceptionMapper
    public Response serviceToken(OidcClientException e) {
        LOG.errorf("no service token for the call to a service: %s", e.getMessage());
        return unavailable(e);
    }

    @ServerExceptionMapper
    public Response timeout(TimeoutException e) {
        return unavailable(e);
    }

    private static Response unavailable(Exception e) {
        LOG.warnf("service unavailable: %s", e.getMessage());
        return Response.fromResponse(Problem.response(
                        Response.Status.SERVICE_UNAVAILABLE, "the service is unavailable; retry later", null))
                .header("Retry-After", 5)
                .build();
    }
}
