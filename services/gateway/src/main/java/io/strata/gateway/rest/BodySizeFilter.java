package io.strata.gateway.rest;

import io.strata.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The size limit of every request but file uploads. The HTTP server's own limit is set for the
 * largest import; everything else is held to {@code strata.gateway.limits.max-body}, checked
 * before the body is read: a larger Content-Length gets 413, and a body without one (chunked)
 * gets 411, so no JSON request is ever buffered beyond the limit.
 */
@ApplicationScoped
public class BodySizeFilter {

    private static final Pattern UPLOADS = Pattern.compile("/api/v1/sources/[^/]+/imports/?");

    private final long maxBody;

    public BodySizeFilter(GatewayConfig config) {
        this.maxBody = config.limits().maxBody().asLongValue();
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> limit(ContainerRequestContext request) {
        if (UPLOADS.matcher(request.getUriInfo().getPath()).matches()) {
            return Optional.empty();
        }
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            String encoding = request.getHeaderString("Transfer-Encoding");
            if (encoding != null && !encoding.isBlank()) {
                return Optional.of(Problem.response(
                        Response.Status.LENGTH_REQUIRED,
                        "a request body needs a Content-Length (at most " + maxBody + " bytes)",
                        null));
            }
            return Optional.empty();
        }
        long bytes;
        try {
            bytes = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Optional.of(Problem.response(Response.Status.BAD_REQUEST, "Content-Length is not a number", null));
        }
        if (bytes > maxBody) {
            return Optional.of(Problem.response(
                    Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "the body has " + bytes + " bytes; at most " + maxBody + " are accepted",
                    null));
        }
        return Optional.empty();
    }
}
