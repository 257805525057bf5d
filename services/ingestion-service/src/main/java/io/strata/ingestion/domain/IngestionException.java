package io.strata.ingestion.domain;

import io.strata.platform.errors.Reason;

/** A request refused as a whole, with the HTTP status (and gRPC code) that says why. */
public class IngestionException extends RuntimeException {

    public enum Kind {
        /** 400 / INVALID_ARGUMENT */
        INVALID,
        /** 401 / UNAUTHENTICATED */
        UNAUTHENTICATED,
        /** 404 / NOT_FOUND */
        NOT_FOUND,
        /** 413 / INVALID_ARGUMENT */
        TOO_LARGE,
        /** 429 / RESOURCE_EXHAUSTED, with Retry-After */
        RATE_LIMITED,
        /** 503 / UNAVAILABLE, with Retry-After */
        UNAVAILABLE,
        /** 413 / RESOURCE_EXHAUSTED without retry: a stream or an import went past its longest */
        STREAM_LIMIT
    }

    private final Kind kind;
    private final String field;
    private final long retryAfterSeconds;
    private final Reason reason;

    public IngestionException(Kind kind, String message, String field, long retryAfterSeconds, Reason reason) {
        super(message, null, false, false);
        this.kind = kind;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
        this.reason = reason;
    }

    public static IngestionException invalid(String field, String message) {
        return new IngestionException(Kind.INVALID, message, field, 0, null);
    }

    public static IngestionException tooLarge(String field, String message) {
        return new IngestionException(Kind.TOO_LARGE, message, field, 0, null);
    }

    public static IngestionException unauthenticated(String message) {
        return new IngestionException(Kind.UNAUTHENTICATED, message, null, 0, null);
    }

    public static IngestionException notFound(String message) {
        return new IngestionException(Kind.NOT_FOUND, message, null, 0, null);
    }

    public static IngestionException rateLimited(long retryAfterSeconds) {
        return new IngestionException(
                Kind.RATE_LIMITED,
                "the source sends more events than its rate limit allows; retry later",
                null,
                retryAfterSeconds,
                Reason.RATE_LIMITED);
    }

    /** The tenant's quota (events per second over its sources, imports at once) is used up. */
    public static IngestionException overQuota(String message, long retryAfterSeconds) {
        return new IngestionException(Kind.RATE_LIMITED, message, null, retryAfterSeconds, Reason.TENANT_QUOTA);
    }

    /** Kafka cannot take events. */
    public static IngestionException unavailable(String message, long retryAfterSeconds) {
        return new IngestionException(Kind.UNAVAILABLE, message, null, retryAfterSeconds, Reason.BROKER_UNAVAILABLE);
    }

    /** This replica holds as much unfinished work as it may (or the tenant its share of it). */
    public static IngestionException overloaded(String message, long retryAfterSeconds) {
        return new IngestionException(Kind.UNAVAILABLE, message, null, retryAfterSeconds, Reason.OVERLOADED);
    }

    /** A stream (or an import) went past its most events or its longest duration. */
    public static IngestionException streamLimit(String message) {
        return new IngestionException(Kind.STREAM_LIMIT, message, null, 0, Reason.STREAM_LIMIT);
    }

    public Kind kind() {
        return kind;
    }

    public String field() {
        return field;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The machine-readable reason, or null. */
    public Reason reason() {
        return reason;
    }

    public boolean retryable() {
        return kind == Kind.RATE_LIMITED || kind == Kind.UNAVAILABLE;
    }
}
