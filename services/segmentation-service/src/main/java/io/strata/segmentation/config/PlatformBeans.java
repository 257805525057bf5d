package io.strata.segmentation.config;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.Tenant;
import io.quarkus.oidc.TenantIdentityProvider;
import io.strata.platform.kafka.DeadLetterProducer;
import io.strata.platform.security.Access;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The shared conventions of services/platform, wired for this service. */
@ApplicationScoped
public class PlatformBeans {

    /** Internal calls: the gateway's calls for a user carry that user's token, verified by OIDC tenant "users". */
    @Produces
    @Singleton
    Access access(@Tenant("users") TenantIdentityProvider users, SegmentationConfig config) {
        return new Access(config.userCallers(), token -> users.authenticate(new AccessTokenCredential(token)));
    }

    @Produces
    @Singleton
    DeadLetterProducer deadLetters(
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, SegmentationConfig config) {
        return new DeadLetterProducer(bootstrapServers, config.deadLetterTopic(), "segmentation-service");
    }

    void close(@Disposes DeadLetterProducer producer) {
        producer.close();
    }
}
