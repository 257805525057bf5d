package io.strata.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * For {@code @QuarkusTest}s of applications that call the services: the local realm's secret of
 * client strata-gateway, so their client-credentials tokens are real.
 */
public class LocalRealm implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.oidc-client.credentials.secret", KeycloakTokens.gatewaySecret());
    }

    @Override
    public void stop() {
        // nothing was started
    }
}
