package io.strata.ingestion.grpc;

import io.grpc.StatusRuntimeException;
import io.quarkus.security.AuthenticationFailedException;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.InvalidEventException;
import io.strata.platform.errors.Errors;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** The service's refusals as gRPC statuses with typed details (services/platform {@link Errors}). */
final class GrpcErrors {

    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {}

    /** Runs the call, turning what it throws or fails with into a gRPC status. */
    static <T> Uni<T> guarded(Supplier<Uni<? extends T>> call) {
        return Uni.createFrom().<T>deferred(call).onFailure().transform(GrpcErrors::toStatus);
    }

    static Throwable toStatus(Throwable e) {
        if (e instanceof StatusRuntimeException) {
            return e;
        }
        if (e instanceof IngestionException ie) {
            Duration retry = Duration.ofSeconds(ie.retryAfterSeconds());
            return switch (ie.kind()) {
                case INVALID, TOO_LARGE -> Errors.invalid(ie.field() == null ? "" : ie.field(), ie.getMessage());
                case UNAUTHENTICATED -> Errors.unauthenticated(ie.getMessage());
                case NOT_FOUND -> Errors.notFound(ie.getMessage());
                case RATE_LIMITED -> Errors.exhausted(ie.reason(), ie.getMessage(), retry);
                case UNAVAILABLE -> Errors.unavailable(ie.reason(), ie.getMessage(), retry);
                case STREAM_LIMIT -> Errors.exhausted(ie.reason(), ie.getMessage(), null);
            };
        }
        if (e instanceof AuthenticationFailedException) {
            return Errors.unauthenticated("the token is not valid");
        }
        if (e instanceof InvalidEventException ie) {
            return Errors.invalid(ie.field(), ie.getMessage());
        }
        LOG.error("a call failed", e);
        return Errors.internal("internal error", e);
    }
}
