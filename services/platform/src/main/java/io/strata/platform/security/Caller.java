package io.strata.platform.security;

import java.util.Set;

/**
 * Who a call is for, as verified by {@link Access}.
 *
 * @param client the calling service's client ({@code azp} of its token)
 * @param tenant the tenant the call may touch: the user's, or null for a service's own call
 * @param user the user's subject, or null for a service's own call
 * @param roles the user's roles (empty for a service's own call)
 */
public record Caller(String client, String tenant, String user, Set<String> roles) {

    public boolean forUser() {
        return user != null;
    }
}
