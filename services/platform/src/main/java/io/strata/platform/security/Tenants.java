package io.strata.platform.security;

import java.util.regex.Pattern;

/** A tenant (a brand) is named by a token's {@code tenant} claim; never by a field the caller sets. */
public final class Tenants {

    /** The access token claim holding the tenant. */
    public static final String CLAIM = "tenant";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private Tenants() {}

    /** Whether the text can be a tenant's name: 1 to 63 letters, digits, dots, dashes and underscores. */
    public static boolean valid(String tenant) {
        return tenant != null && NAME.matcher(tenant).matches();
    }

    /** The claim's value, stripped; null when the token has none. */
    public static String fromClaim(Object claim) {
        if (claim == null) {
            return null;
        }
        String tenant = claim.toString().strip();
        return tenant.isEmpty() ? null : tenant;
    }
}
