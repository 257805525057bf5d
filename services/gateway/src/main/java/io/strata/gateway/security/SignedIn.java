package io.strata.gateway.security;

/**
 * The signed-in user a request is for: the tenant of the access token's {@code tenant} claim (never
 * a field the caller sets), and the token itself, which calls to the services forward so that they
 * check the same tenant (services/platform Access).
 */
public record SignedIn(String tenant, String token) {

    @Override
    public String toString() {
        return "SignedIn[tenant=" + tenant + "]"; // never the token
    }
}
