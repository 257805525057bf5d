package io.strata.gateway.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;

@ConfigMapping(prefix = "strata.gateway")
public interface GatewayConfig {

    RateLimit rateLimit();

    Limits limits();

    Calls calls();

    Console console();

    /** The console (services/console), served at {@code /}: where its users sign in. */
    interface Console {
        /**
         * The realm as the browser reaches it ({@code https://sso.example.com/realms/strata}); by
         * default the realm the gateway verifies tokens against.
         */
        @WithDefault("${quarkus.oidc.auth-server-url}")
        String authServerUrl();

        /** The realm's public client for the console (authorization code with PKCE). */
        @WithDefault("strata-console")
        String clientId();
    }

    /** Calls to the services: each has a deadline, which the called service sees and stops at. */
    interface Calls {
        /** Reads and administration. */
        @WithDefault("PT5S")
        Duration deadline();

        /**
         * A history import, from its first byte to its summary: a little longer than the longest
         * import ingestion-service runs ({@code strata.ingestion.imports.max-duration}).
         */
        @WithDefault("PT6H5M")
        Duration importDeadline();

        /** An analysis of insight-service (TGI, rules, funnel, retention, GROW) over the tenant's events. */
        @WithDefault("PT60S")
        Duration analysisDeadline();
    }

    /** Request sizes. File uploads (imports) are bounded by quarkus.http.limits.max-body-size. */
    interface Limits {
        /**
         * The largest body of any other request; at most quarkus.rest.input-buffer-size (1M, fixed
         * at build time), which the REST layer must be able to take such a body whole from memory.
         */
        @WithDefault("1M")
        MemorySize maxBody();
    }

    /** Requests per second per tenant and client (the token's {@code azp}), as token buckets. */
    interface RateLimit {
        @WithDefault("200")
        int requestsPerSecond();

        /** A caller may burst this many seconds' worth of requests at once. */
        @WithDefault("2")
        int burstSeconds();

        /** Limits of particular tenants, by tenant. */
        Map<String, Integer> tenants();

        /** Limits of particular clients (a partner, an app), by client id; they win over the tenant's. */
        Map<String, Integer> clients();
    }
}
