package io.strata.platform.errors;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * gRPC errors with typed details ({@code google.rpc.Status}): the field at fault as a
 * {@link BadRequest.FieldViolation}, the time to wait as {@link RetryInfo}, a machine-readable
 * {@link Reason} as {@link ErrorInfo}. Every service refuses through these, and the gateway reads
 * them back ({@link HttpProblems}): no caller parses a description.
 */
public final class Errors {

    private Errors() {}

    /** A field violation: the field in the caller's spelling (a proto path, e.g. {@code header.zone}). */
    public record Violation(String field, String description) {}

    /** INVALID_ARGUMENT naming the field. */
    public static StatusRuntimeException invalid(String field, String description) {
        return invalid(List.of(new Violation(field, description)));
    }

    /** INVALID_ARGUMENT naming every field at fault; the description is the first one's. */
    public static StatusRuntimeException invalid(List<Violation> violations) {
        BadRequest.Builder bad = BadRequest.newBuilder();
        for (Violation v : violations) {
            bad.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                    .setField(v.field() == null ? "" : v.field())
                    .setDescription(v.description()));
        }
        String message = violations.isEmpty() ? "invalid request" : describe(violations.get(0));
        return build(Code.INVALID_ARGUMENT, message, Any.pack(bad.build()));
    }

    public static StatusRuntimeException notFound(String description) {
        return build(Code.NOT_FOUND, description);
    }

    /** ALREADY_EXISTS: what the caller creates is there already (HTTP 409). */
    public static StatusRuntimeException exists(String description) {
        return build(Code.ALREADY_EXISTS, description);
    }

    /** FAILED_PRECONDITION: the request is well formed but the state does not allow it (HTTP 409). */
    public static StatusRuntimeException precondition(String description) {
        return build(Code.FAILED_PRECONDITION, description);
    }

    public static StatusRuntimeException unauthenticated(String description) {
        return build(Code.UNAUTHENTICATED, description);
    }

    public static StatusRuntimeException denied(Reason reason, String description) {
        return build(Code.PERMISSION_DENIED, description, info(reason));
    }

    /** RESOURCE_EXHAUSTED: try again after {@code retryAfter}, or (null) not as it is. */
    public static StatusRuntimeException exhausted(Reason reason, String description, Duration retryAfter) {
        return retryAfter == null
                ? build(Code.RESOURCE_EXHAUSTED, description, info(reason))
                : build(Code.RESOURCE_EXHAUSTED, description, info(reason), retry(retryAfter));
    }

    /** UNAVAILABLE: try again after {@code retryAfter}. */
    public static StatusRuntimeException unavailable(Reason reason, String description, Duration retryAfter) {
        return build(Code.UNAVAILABLE, description, info(reason), retry(retryAfter));
    }

    /** INTERNAL, with the cause kept for the server's log (it never reaches the caller). */
    public static StatusRuntimeException internal(String description, Throwable cause) {
        return Status.INTERNAL.withDescription(description).withCause(cause).asRuntimeException();
    }

    /** The field violations of an error, empty when it carries none. */
    public static List<Violation> violations(Throwable error) {
        List<Violation> out = new ArrayList<>();
        for (Any detail : details(error)) {
            if (detail.is(BadRequest.class)) {
                BadRequest bad = unpack(detail, BadRequest.class);
                bad.getFieldViolationsList().forEach(v -> out.add(new Violation(v.getField(), v.getDescription())));
            }
        }
        return out;
    }

    /** How long the service asks the caller to wait, when it says. */
    public static Optional<Duration> retryAfter(Throwable error) {
        for (Any detail : details(error)) {
            if (detail.is(RetryInfo.class)) {
                com.google.protobuf.Duration d = unpack(detail, RetryInfo.class).getRetryDelay();
                return Optional.of(Duration.ofSeconds(d.getSeconds(), d.getNanos()));
            }
        }
        return Optional.empty();
    }

    /** The reason of an error of ours, when it gives one. */
    public static Optional<String> reason(Throwable error) {
        for (Any detail : details(error)) {
            if (detail.is(ErrorInfo.class)) {
                ErrorInfo info = unpack(detail, ErrorInfo.class);
                if (Reason.DOMAIN.equals(info.getDomain()) && !info.getReason().isEmpty()) {
                    return Optional.of(info.getReason());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The error with {@code key = value} added to the metadata of its {@link ErrorInfo} (one is
     * added when it has none of ours), e.g. how much of a stream was stored before it failed.
     */
    public static StatusRuntimeException withMetadata(Throwable error, String key, String value) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            Status plain = Status.fromThrowable(error);
            status = com.google.rpc.Status.newBuilder()
                    .setCode(plain.getCode().value())
                    .setMessage(plain.getDescription() == null ? "" : plain.getDescription())
                    .build();
        }
        com.google.rpc.Status.Builder out = status.toBuilder().clearDetails();
        boolean added = false;
        for (Any detail : status.getDetailsList()) {
            if (!added && detail.is(ErrorInfo.class)) {
                ErrorInfo info = unpack(detail, ErrorInfo.class);
                if (Reason.DOMAIN.equals(info.getDomain())) {
                    detail = Any.pack(info.toBuilder().putMetadata(key, value).build());
                    added = true;
                }
            }
            out.addDetails(detail);
        }
        if (!added) {
            out.addDetails(Any.pack(ErrorInfo.newBuilder()
                    .setDomain(Reason.DOMAIN)
                    .putMetadata(key, value)
                    .build()));
        }
        return StatusProto.toStatusRuntimeException(out.build());
    }

    /** A value of the metadata of the error's {@link ErrorInfo}, when it carries one. */
    public static Optional<String> metadata(Throwable error, String key) {
        for (Any detail : details(error)) {
            if (detail.is(ErrorInfo.class)) {
                ErrorInfo info = unpack(detail, ErrorInfo.class);
                if (Reason.DOMAIN.equals(info.getDomain()) && info.containsMetadata(key)) {
                    return Optional.of(info.getMetadataOrThrow(key));
                }
            }
        }
        return Optional.empty();
    }

    /** The description without the field prefix that {@link #invalid} puts in front of it. */
    public static String description(Throwable error) {
        List<Violation> violations = violations(error);
        if (!violations.isEmpty()) {
            return violations.get(0).description();
        }
        return Status.fromThrowable(error).getDescription();
    }

    private static String describe(Violation v) {
        return v.field() == null || v.field().isEmpty() ? v.description() : v.field() + ": " + v.description();
    }

    private static Any info(Reason reason) {
        return Any.pack(ErrorInfo.newBuilder()
                .setDomain(Reason.DOMAIN)
                .setReason(reason.name())
                .build());
    }

    private static Any retry(Duration after) {
        Duration wait = after == null || after.isNegative() ? Duration.ZERO : after;
        return Any.pack(RetryInfo.newBuilder()
                .setRetryDelay(com.google.protobuf.Duration.newBuilder()
                        .setSeconds(wait.getSeconds())
                        .setNanos(wait.getNano()))
                .build());
    }

    private static StatusRuntimeException build(Code code, String description, Any... details) {
        com.google.rpc.Status.Builder status =
                com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(description);
        for (Any detail : details) {
            status.addDetails(detail);
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    private static List<Any> details(Throwable error) {
        com.google.rpc.Status status = error == null ? null : StatusProto.fromThrowable(error);
        return status == null ? List.of() : status.getDetailsList();
    }

    private static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("a malformed error detail " + any.getTypeUrl(), e);
        }
    }
}
