package io.strata.testing;

import org.eclipse.microprofile.config.ConfigProvider;

/** The management interface (health, metrics, OpenAPI) of the service a {@code @QuarkusTest} runs. */
public final class Management {

    private Management() {}

    /** {@code http://127.0.0.1:<quarkus.management.test-port>} followed by {@code path}. */
    public static String url(String path) {
        return "http://127.0.0.1:" + ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class)
                + path;
    }
}
