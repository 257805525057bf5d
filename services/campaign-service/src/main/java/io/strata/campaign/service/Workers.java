package io.strata.campaign.service;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.campaign.config.CampaignConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * The threads that fire due timers, dispatch queued messages, start broadcasts and the date
 * trigger's entries, deliver audience transitions to destinations, and relay tag updates and
 * opt-outs to profile-service. Each loops: a round, and a pause
 * when the round found less than a batch; a failing round is retried with back-off (its
 * transaction rolled back, so nothing of it happened).
 */
@ApplicationScoped
public class Workers {

    private static final Logger LOG = Logger.getLogger(Workers.class);

    private final JourneyRuntime runtime;
    private final Dispatcher dispatcher;
    private final ProfileRelay relay;
    private final Broadcasts broadcasts;
    private final DateTriggers dates;
    private final io.strata.campaign.activation.Activation activation;
    private final CampaignConfig config;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public Workers(
            JourneyRuntime runtime,
            Dispatcher dispatcher,
            ProfileRelay relay,
            Broadcasts broadcasts,
            DateTriggers dates,
            io.strata.campaign.activation.Activation activation,
            CampaignConfig config) {
        this.runtime = runtime;
        this.dispatcher = dispatcher;
        this.relay = relay;
        this.broadcasts = broadcasts;
        this.dates = dates;
        this.activation = activation;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        if (config.timers().enabled()) {
            int batch = config.timers().batch();
            for (int i = 0; i < config.timers().threads(); i++) {
                loop(
                        "campaign-timers-" + i,
                        () -> runtime.fireDue(batch),
                        batch,
                        config.timers().idle());
            }
        }
        if (config.dispatch().enabled()) {
            int batch = config.dispatch().batch();
            loop(
                    "campaign-dispatch",
                    () -> dispatcher.round(batch),
                    batch,
                    config.dispatch().idle());
        }
        if (config.entries().enabled()) {
            int page = config.entries().page();
            long every = config.entries().dateScanEvery().toNanos();
            long[] lastScan = {System.nanoTime() - every};
            loop(
                    "campaign-entries",
                    () -> {
                        int done = broadcasts.round(page);
                        if (System.nanoTime() - lastScan[0] >= every) {
                            dates.scan();
                            lastScan[0] = System.nanoTime();
                        }
                        return done;
                    },
                    page,
                    config.entries().idle());
        }
        if (config.activation().enabled()) {
            // each destination's deliveries run on a virtual thread of their own; this loop starts them
            loop(
                    "campaign-activation",
                    activation::round,
                    Integer.MAX_VALUE,
                    config.activation().idle());
        }
        if (config.relay().enabled()) {
            int batch = config.relay().batch();
            loop(
                    "campaign-relay",
                    () -> relay.round(batch),
                    batch,
                    config.relay().idle());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        activation.stop();
        for (Thread t : threads) {
            LockSupport.unpark(t);
            try {
                t.join(config.timeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop(String name, IntSupplier round, int batch, Duration idle) {
        Thread t = new Thread(
                () -> {
                    Duration backoff = Duration.ofMillis(100);
                    while (running) {
                        try {
                            int done = round.getAsInt();
                            backoff = Duration.ofMillis(100);
                            if (done < batch) {
                                LockSupport.parkNanos(idle.toNanos());
                            }
                        } catch (RuntimeException e) {
                            if (!running) {
                                return;
                            }
                            LOG.errorf(e, "%s: a round failed (rolled back; retrying in %s)", name, backoff);
                            LockSupport.parkNanos(backoff.toNanos());
                            backoff = backoff.compareTo(Duration.ofSeconds(5)) >= 0 ? backoff : backoff.multipliedBy(2);
                        }
                    }
                },
                name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }
}
