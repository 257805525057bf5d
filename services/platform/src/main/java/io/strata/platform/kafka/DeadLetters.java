package io.strata.platform.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The dead-letter format of every service: the record as it came (key and value bytes unchanged, so
 * it can be replayed once mended) on {@code strata.events.dlq.v1}, with headers saying why, who
 * refused it and where it came from.
 */
public final class DeadLetters {

    public static final String TOPIC = "strata.events.dlq.v1";

    /** Why the record cannot be processed (at most 1 KB of text). */
    public static final String REASON = "strata-dlq-reason";
    /** The service that refused it. */
    public static final String SERVICE = "strata-dlq-service";
    /** {@code <topic>-<partition>@<offset>} of the original. */
    public static final String ORIGIN = "strata-dlq-origin";

    static final int MAX_REASON = 1024;

    private DeadLetters() {}

    public static String origin(String topic, int partition, long offset) {
        return topic + "-" + partition + "@" + offset;
    }

    /** The original headers (kept) followed by the dead-letter headers. */
    public static Headers headers(Headers original, String service, String reason, String origin) {
        RecordHeaders headers = new RecordHeaders();
        if (original != null) {
            for (Header h : original) {
                headers.add(h);
            }
        }
        String why = reason == null ? "unknown" : reason;
        if (why.length() > MAX_REASON) {
            why = why.substring(0, MAX_REASON);
        }
        headers.add(REASON, why.getBytes(StandardCharsets.UTF_8));
        headers.add(SERVICE, service.getBytes(StandardCharsets.UTF_8));
        headers.add(ORIGIN, origin.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    /** A header's text, or null. */
    public static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
