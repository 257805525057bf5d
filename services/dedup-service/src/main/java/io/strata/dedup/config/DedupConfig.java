package io.strata.dedup.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "strata.dedup")
public interface DedupConfig {

    /** Where ingestion publishes, keyed {@code <source_id>/<message_id>}. */
    @WithDefault("strata.events.incoming.v1")
    String inputTopic();

    /** The product topic: each event once, keyed {@code tenant/identity}. */
    @WithDefault("strata.events.v1")
    String outputTopic();

    /** Records that are not events, with the reason in a header. */
    @WithDefault("strata.events.dlq.v1")
    String deadLetterTopic();

    /** A key forwarded less than this long ago is not forwarded again. */
    @WithDefault("PT24H")
    Duration window();
}
