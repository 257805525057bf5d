package io.strata.campaign.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.campaign.config.CampaignConfig;
import io.strata.platform.outbox.OutboxRelay;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends {@code strata.messages.v1} from the outbox ({@code message_outbox}) to Kafka: the platform's
 * {@link OutboxRelay} (one replica at a time, in order, at least once, nothing of a transaction that
 * rolled back), started with the service unless {@code strata.campaign.outbox.enabled=false}.
 */
@ApplicationScoped
public class MessageOutbox {

    /** The advisory lock of the outbox (a constant no other lock of the database uses). */
    private static final long LOCK = 0x7374726174614d4fL;

    private final boolean enabled;
    private final OutboxRelay relay;

    public MessageOutbox(
            Pool pool,
            CampaignConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            MeterRegistry registry) {
        var outbox = config.outbox();
        this.enabled = outbox.enabled();
        this.relay = new OutboxRelay(
                pool,
                new OutboxRelay.Settings(
                        "message_outbox",
                        LOCK,
                        "campaign-service-messages",
                        outbox.batch(),
                        outbox.idle(),
                        outbox.timeout(),
                        "strata_campaign_messages"),
                bootstrapServers,
                registry);
    }

    void start(@Observes StartupEvent event) {
        if (enabled) {
            relay.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (enabled) {
            relay.stop();
        }
    }
}
