package io.strata.segmentation.rules;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the engine knows of one profile, as the row-wise {@link Evaluator} reads it. */
public interface ProfileFacts {

    /**
     * A field's value ({@link FieldCatalog} names them): a String, a Number, a Boolean, an {@link
     * Instant} or a {@link java.time.LocalDate}, or a {@code Set<String>} for a facet; null when the
     * profile has none.
     */
    Object value(String field);

    /** The profile's events of that name that are kept, in any order. */
    List<EventFact> events(String name);

    /** One performed event: when it happened, and its properties (strings, numbers, booleans). */
    record EventFact(Instant at, Map<String, Object> properties) {}
}
