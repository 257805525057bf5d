package io.strata.gateway.rest;

import java.util.concurrent.TimeoutException;

import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Maps what the services and the API refuse to problem+json, never leaking internals. */
public class ExceptionMappers {

    private static final Logger LOG = Logger.getLogger(ExceptionMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return Problem.response(e.status(), e.getMessage(), e.field());
    }

    @ServerExceptionMapper
    public Response grpc(StatusRuntimeException e) {
        Status status = e.getStatus();
        return switch (status.getCode()) {
            case NOT_FOUND -> Problem.response(Response.Status.NOT_FOUND, status.getDescription(), null);
            case INVALID_ARGUMENT -> Problem.response(Response.Status.BAD_REQUEST, status.getDescription(), null);
            case PERMISSION_DENIED -> Problem.response(Response.Status.FORBIDDEN, status.getDescription(), null);
            case UNAUTHENTICATED -> Problem.response(Response.Status.UNAUTHORIZED, status.getDescription(), null);
            case UNAVAILABLE, DEADLINE_EXCEEDED -> unavailable(e);
            default -> {
                LOG.errorf(e, "service call failed");
                yield Problem.response(Response.Status.BAD_GATEWAY, "a service failed to answer", null);
            }
        };
    }

    @ServerExceptionMapper
    public Response timeout(TimeoutException e) {
        return unavailable(e);
    }

    private static Response unavailable(Exception e) {
        LOG.warnf("service unavailable: %s", e.getMessage());
        return Response.fromResponse(Problem.response(Response.Status.SERVICE_UNAVAILABLE,
                        "the service is unavailable; retry later", null))
                .header("Retry-After", 5)
                .build();
    }
}
