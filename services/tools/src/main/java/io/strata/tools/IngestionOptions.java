package io.strata.tools;

import java.net.URI;
import picocli.CommandLine.Option;

/** How a command reaches ingestion's batch API: the options {@code import} and {@code generate} share. */
final class IngestionOptions {

    /** ingestion's own limit of events per request. */
    static final int MAX_BATCH_EVENTS = 2500;

    @Option(
            names = "--url",
            defaultValue = "http://127.0.0.1:8081",
            description = "ingestion (default ${DEFAULT-VALUE})")
    URI url;

    @Option(
            names = "--write-key",
            defaultValue = "${env:STRATA_WRITE_KEY}",
            description = "the write key of the source the events belong to (default: the environment's"
                    + " STRATA_WRITE_KEY, which keeps it off the command line)")
    String writeKey;

    @Option(
            names = "--batch-size",
            defaultValue = "500",
            description = "events per request, 1 to 2500 (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(
            names = "--parallel",
            defaultValue = "4",
            description = "requests in flight, at least 1 (default ${DEFAULT-VALUE})")
    int parallel;

    /**
     * A sender for these options.
     *
     * @throws IllegalArgumentException naming the option that cannot be used
     */
    BatchSender open() {
        String scheme = url.getScheme();
        if (url.getHost() == null || !"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException(
                    "--url must be an http(s) address such as http://127.0.0.1:8081, not " + url);
        }
        if (writeKey == null || writeKey.isBlank()) {
            throw new IllegalArgumentException(
                    "--write-key is required (the write key of the source), or STRATA_WRITE_KEY in the environment");
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_EVENTS) {
            throw new IllegalArgumentException(
                    "--batch-size must be between 1 and " + MAX_BATCH_EVENTS + ", not " + batchSize);
        }
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel must be at least 1, not " + parallel);
        }
        return new BatchSender(url, writeKey, batchSize, parallel);
    }
}
