package io.strata.profile.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

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
}
