package io.strata.gateway.rest;

import io.strata.gateway.config.GatewayConfig;
import io.strata.platform.errors.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.regex.Pattern;

/**
 * The size limit of every request but file uploads, counted on the bytes actually read: the HTTP
 * server's own limit is set for the largest import, so before any other request reaches its
 * resource its body is read here, and one that passes {@code strata.gateway.limits.max-body} is
 * answered 413 there and then, however it is framed (with a Content-Length or chunked). Uploads
 * stream through untouched.
 */
@ApplicationScoped
public class BodyLimit {

    /** Before the REST layer's own routes (and after nothing that reads a body). */
    static final int ORDER = -1_000;

    private static final Pattern UPLOADS = Pattern.compile("/api/v1/sources/[^/]+/imports/?");

    void install(@Observes Router router, GatewayConfig config) {
        BodyHandler bodies =
                BodyHandler.create(false).setBodyLimit(config.limits().maxBody().asLongValue());
        long max = config.limits().maxBody().asLongValue();
        router.route()
                .order(ORDER)
                .handler(context -> {
                    String path = context.normalizedPath();
                    if (UPLOADS.matcher(path).matches()
                            || !hasBody(context.request().headers())) {
                        context.next();
                    } else {
                        bodies.handle(context);
                    }
                })
                .failureHandler(context -> {
                    if (context.statusCode() != 413) {
                        context.next();
                        return;
                    }
                    // the one error shape of the API; the connection is closed, the rest of the body unread
                    context.response()
                            .setStatusCode(413)
                            .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                            .putHeader(HttpHeaders.CONNECTION, "close")
                            .end(Json.encode(Problem.of(
                                    413, "Content Too Large", "the body is larger than " + max + " bytes", null)));
                });
    }

    private static boolean hasBody(io.vertx.core.MultiMap headers) {
        return headers.contains(HttpHeaders.CONTENT_LENGTH) || headers.contains(HttpHeaders.TRANSFER_ENCODING);
    }
}
