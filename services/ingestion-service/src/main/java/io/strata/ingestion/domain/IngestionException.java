package io.strata.ingestion.domain;

/** A request refused as a whole, with the HTTP status (and gRPC code) that says why. */
public class IngestionException extends RuntimeException {

    public enum Kind {
        /** 400 / INVALID_ARGUMENT */
        INVALID,
        /** 401 / UNAUTHENTICATED */
        UNAUTHENTICATED,
        /** 413 / INVALID_ARGUMENT */
        TOO_LARGE,
        /** 429 / RESOURCE_EXHAUSTED, with Retry-After */
        RATE_LIMITED,
        /** 503 / UNAVAILABLE, with Retry-After */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String field;
    private final long retryAfterSeconds;

    public IngestionException(Kind kind, String message, String field, long retryAfterSeconds) {
        super(message);
        this.kind = kind;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static IngestionException invalid(String field, String message) {
        return new IngestionException(Kind.INVALID, message, field, 0);
    }

    public static IngestionException tooLarge(String field, String message) {
        return new IngestionException(Kind.TOO_LARGE, message, field, 0);
    }

    public static IngestionException unauthenticated(String message) {
        return new IngestionException(Kind.UNAUTHENTICATED, message, null, 0);
    }

    public static IngestionException rateLimited(long retryAfterSeconds) {
        return new IngestionException(
                Kind.RATE_LIMITED,
                "the source sends more events than its rate limit allows; retry later",
                null,
                retryAfterSeconds);
    }

    public static IngestionException unavailable(String message, long retryAfterSeconds) {
        return new IngestionException(Kind.UNAVAILABLE, message, null, retryAfterSeconds);
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
}
