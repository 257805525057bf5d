package io.strata.ingestion.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.InvalidEventException;
import io.strata.ingestion.service.SourceService;
import java.util.function.Supplier;

/** Maps the service's refusals to gRPC statuses, naming the field in the description. */
final class GrpcErrors {

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
            Status status = switch (ie.kind()) {
                case INVALID, TOO_LARGE -> Status.INVALID_ARGUMENT;
                case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
                case RATE_LIMITED -> Status.RESOURCE_EXHAUSTED;
                case UNAVAILABLE -> Status.UNAVAILABLE;
            };
            String field = ie.field() == null || ie.field().isEmpty() ? "" : ie.field() + ": ";
            String retry = ie.retryAfterSeconds() > 0 ? " (retry after " + ie.retryAfterSeconds() + " s)" : "";
            return status.withDescription(field + ie.getMessage() + retry).asRuntimeException();
        }
        if (e instanceof InvalidEventException ie) {
            return Status.INVALID_ARGUMENT
                    .withDescription(ie.field() + ": " + ie.getMessage())
                    .asRuntimeException();
        }
        if (e instanceof SourceService.SourceNotFoundException) {
            return Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException();
        }
        return Status.INTERNAL.withDescription("internal error").withCause(e).asRuntimeException();
    }
}
