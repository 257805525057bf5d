package io.strata.profile.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Set;

@ConfigMapping(prefix = "strata.profile")
public interface ProfileConfig {

    /** How long the ids of applied events are kept to recognise a redelivery. */
    @WithDefault("P7D")
    Duration processedEventRetention();

    /** Attempts to apply a batch of events before the consumer gives up and reports itself unhealthy. */
    @WithDefault("6")
    int applyAttempts();

    /** First back-off between attempts; it doubles up to {@code apply-max-backoff}. */
    @WithDefault("PT0.5S")
    Duration applyBackoff();

    @WithDefault("PT10S")
    Duration applyMaxBackoff();

    /**
     * Immediate re-applications of a batch another writer overtook (it read identifiers or profiles
     * that were written meanwhile), each against what was committed since.
     */
    @WithDefault("20")
    int conflictAttempts();

    /** The short, jittered pause before such a re-application. */
    @WithDefault("PT0.02S")
    Duration conflictBackoff();

    /** Records that can never be applied go there, with the reason. */
    @WithDefault("strata.events.dlq.v1")
    String deadLetterTopic();

    /** The clients that may call the gRPC API on behalf of a signed-in user (the gateway). */
    @WithDefault("strata-gateway")
    Set<String> userCallers();
}
