package io.strata.platform.security;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** A token's principal as a verifier hands it over: a name and claims. */
final class TestJwts {

    private TestJwts() {}

    static JsonWebToken jwt(String name, Map<String, Object> claims) {
        return new JsonWebToken() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String claim) {
                return (T) claims.get(claim);
            }
        };
    }
}
