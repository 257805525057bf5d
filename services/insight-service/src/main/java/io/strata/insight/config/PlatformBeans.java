package io.strata.insight.config;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.Tenant;
import io.quarkus.oidc.TenantIdentityProvider;
import io.strata.insight.store.EventStore;
import io.strata.platform.kafka.DeadLetterProducer;
import io.strata.platform.security.Access;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The shared conventions of services/platform, and the store, wired for this service. */
@ApplicationScoped
public class PlatformBeans {

    /** Internal calls: the gateway's calls for a user carry that user's token, verified by OIDC tenant "users". */
    @Produces
    @Singleton
    Access access(@Tenant("users") TenantIdentityProvider users, InsightConfig config) {
        return new Access(config.userCallers(), token -> users.authenticate(new AccessTokenCredential(token)));
    }

    @Produces
    @Singleton
    DeadLetterProducer deadLetters(
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, InsightConfig config) {
        return new DeadLetterProducer(bootstrapServers, config.deadLetterTopic(), "insight-service");
    }

    void close(@Disposes DeadLetterProducer producer) {
        producer.close();
    }

    @Produces
    @Singleton
    EventStore store(InsightConfig config) {
        return EventStore.open(
                config.store().dir(), config.store().memoryLimit().orElse(null));
    }

    void close(@Disposes EventStore store) throws SQLException {
        store.close();
    }
}
