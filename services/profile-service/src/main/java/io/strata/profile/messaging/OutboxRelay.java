package io.strata.profile.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.profile.config.ProfileConfig;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sends the change feed's records from the outbox ({@code profile_outbox}) to Kafka: the platform's
 * {@link io.strata.platform.outbox.OutboxRelay} (one replica at a time, in order, at least once,
 * never a record of a write that rolled back), started with the service unless
 * {@code strata.profile.feed.relay-enabled=false}.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The advisory lock of the outbox (any constant the database's other locks do not use). */
    private static final long LOCK = 0x5354524154414f42L;

    private final ProfileConfig.Feed config;
    private final io.strata.platform.outbox.OutboxRelay relay;

    public OutboxRelay(
            Pool pool,
            ProfileConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            MeterRegistry registry) {
        this.config = config.feed();
        this.relay = new io.strata.platform.outbox.OutboxRelay(
                pool,
                new io.strata.platform.outbox.OutboxRelay.Settings(
                        "profile_outbox",
                        LOCK,
                        "profile-service-feed",
                        this.config.relayBatch(),
                        this.config.relayIdle(),
                        this.config.relayTimeout(),
                        "strata_profile_feed"),
                bootstrapServers,
                registry);
    }

    void start(@Observes StartupEvent event) {
        if (!config.relayEnabled()) {
            LOG.info("the change feed's relay is off on this replica (strata.profile.feed.relay-enabled=false)");
            return;
        }
        relay.start();
    }

    void stop(@Observes ShutdownEvent event) {
        relay.stop();
    }

    /** A batch committed: look at the outbox now. */
    public void wake() {
        relay.wake();
    }
}
