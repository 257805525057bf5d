package io.strata.profile.domain;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns raw identifiers into the canonical form the identity graph stores, and refuses the
 * junk that real event streams carry ("0", "null", test numbers...), which would otherwise
 * glue unrelated consumers into one profile.
 */
public final class IdentifierNormalizer {

    private static final Set<String> JUNK = Set.of(
            "",
            "0",
            "-1",
            "-",
            "null",
            "nil",
            "none",
            "undefined",
            "unknown",
            "n/a",
            "na",
            "test",
            "anonymous",
            "[object object]",
            "00000000-0000-0000-0000-000000000000");
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Pattern SAME_CHAR = Pattern.compile("^(.)\\1*$");
    private static final Pattern SEQUENTIAL = Pattern.compile("^(0123456789|123456789|1234567890|12345678)$");
    private static final Set<String> TEST_PHONES = Set.of("13800138000", "8613800138000", "12345678901");
    private static final int MAX_LENGTH = 256;

    private IdentifierNormalizer() {}

    public static Optional<IdentityKey> normalize(IdentityType type, String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String value = raw.strip();
        if (value.length() > MAX_LENGTH || JUNK.contains(value.toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        return switch (type) {
            case EMAIL -> email(value);
            case PHONE -> phone(value);
            default ->
                SAME_CHAR.matcher(value).matches() && value.length() > 1
                        ? Optional.empty()
                        : Optional.of(new IdentityKey(type, value));
        };
    }

    private static Optional<IdentityKey> email(String value) {
        String email = value.toLowerCase(Locale.ROOT);
        if (!EMAIL.matcher(email).matches()) {
            return Optional.empty();
        }
        return Optional.of(new IdentityKey(IdentityType.EMAIL, email));
    }

    /**
     * Keeps the digits, with a leading '+' for international numbers; a bare 11-digit mainland
     * mobile number gets +86. Numbers of one repeated digit, counting sequences and well-known
     * test numbers are refused.
     */
    private static Optional<IdentityKey> phone(String value) {
        boolean international = value.startsWith("+") || value.startsWith("00");
        String digits = value.replaceAll("\\D", "");
        if (value.startsWith("00")) {
            digits = digits.substring(2);
        }
        if (digits.length() < 6
                || digits.length() > 15
                || SAME_CHAR.matcher(digits).matches()
                || SEQUENTIAL.matcher(digits).matches()
                || TEST_PHONES.contains(digits)) {
            return Optional.empty();
        }
        if (!international && digits.length() == 11 && digits.startsWith("1")) {
            return Optional.of(new IdentityKey(IdentityType.PHONE, "+86" + digits));
        }
        return Optional.of(new IdentityKey(IdentityType.PHONE, international ? "+" + digits : digits));
    }
}
