package io.strata.platform.errors;

import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A service's gRPC error as the HTTP answer of an API in front of it: the status, the problem body
 * (the field from the error's {@code BadRequest}, the reason from its {@code ErrorInfo}) and the
 * seconds of {@code Retry-After} from its {@code RetryInfo}.
 */
public final class HttpProblems {

    /** What unavailable services are retried after when they do not say. */
    public static final Duration DEFAULT_RETRY = Duration.ofSeconds(5);

    private HttpProblems() {}

    /**
     * @param status HTTP status code
     * @param retryAfterSeconds 0 for no Retry-After header
     * @param failure whether the failure is the API's own (5xx), to be logged by the caller
     */
    public record HttpProblem(int status, Problem body, long retryAfterSeconds, boolean failure) {}

    /**
     * @param fieldName the API's name of a field the service named (its proto path, e.g.
     *     {@code rate_limit_per_second} becomes {@code rateLimitPerSecond} with {@link #camel})
     */
    public static HttpProblem of(Throwable error, UnaryOperator<String> fieldName) {
        Status status = Status.fromThrowable(error);
        String reason = Errors.reason(error).orElse(null);
        long retry = Errors.retryAfter(error).map(HttpProblems::seconds).orElse(0L);
        return switch (status.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> {
                List<Errors.Violation> violations = Errors.violations(error);
                String field = violations.isEmpty()
                        ? null
                        : fieldName.apply(violations.get(0).field());
                yield problem(400, "Bad Request", Errors.description(error), field, reason, 0, false);
            }
            case NOT_FOUND -> problem(404, "Not Found", status.getDescription(), null, reason, 0, false);
            case ALREADY_EXISTS, ABORTED, FAILED_PRECONDITION ->
                problem(409, "Conflict", status.getDescription(), null, reason, 0, false);
            case PERMISSION_DENIED -> problem(403, "Forbidden", status.getDescription(), null, reason, 0, false);
            case UNAUTHENTICATED -> problem(401, "Unauthorized", status.getDescription(), null, reason, 0, false);
            // without RetryInfo the same request will not pass later (a stream past its longest)
            case RESOURCE_EXHAUSTED ->
                Errors.retryAfter(error).isPresent()
                        ? problem(429, "Too Many Requests", status.getDescription(), null, reason, retry, false)
                        : problem(413, "Content Too Large", status.getDescription(), null, reason, 0, false);
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED ->
                problem(
                        503,
                        "Service Unavailable",
                        "the service is unavailable; retry later",
                        null,
                        reason,
                        retry > 0 ? retry : seconds(DEFAULT_RETRY),
                        true);
            default -> problem(502, "Bad Gateway", "a service failed to answer", null, null, 0, true);
        };
    }

    /** A proto field path in the JSON spelling of the APIs: {@code header.source_id} → {@code header.sourceId}. */
    public static String camel(String field) {
        if (field == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(field.length());
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

    private static HttpProblem problem(
            int status, String title, String detail, String field, String reason, long retry, boolean failure) {
        Problem body = Problem.of(status, title, detail, field).withReason(reason);
        return new HttpProblem(status, body, retry, failure);
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
