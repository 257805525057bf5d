package io.strata.insight.funnel;

import java.time.Instant;
import java.util.Map;

/** One event of a person, as a funnel reads it. */
public record Event(String person, Instant time, String name, Map<String, Object> properties) {

    public Event {
        properties = properties == null ? Map.of() : properties;
    }
}
