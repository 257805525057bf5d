package io.strata.platform.errors;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The one error body of Strata's HTTP APIs: RFC 9457 problem details, with the offending
 * {@code field} and the machine-readable {@code reason} when there are, and the refused items of a
 * batch ({@code rejected}) when a batch API lists them.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
        String type, String title, int status, String detail, String field, String reason, Object rejected) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String title, String detail, String field) {
        return new Problem("about:blank", title, status, detail, emptyToNull(field), null, null);
    }

    public Problem withReason(String value) {
        return new Problem(type, title, status, detail, field, emptyToNull(value), rejected);
    }

    public Problem withRejected(Object value) {
        return new Problem(type, title, status, detail, field, reason, value);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
