package io.strata.segmentation.domain;

import java.time.Instant;
import java.util.Locale;

/**
 * An audience as stored: its current version, state and definition (the condition language's JSON,
 * null for a static audience).
 */
public record Segment(
        String tenant,
        String id,
        String name,
        String description,
        Kind kind,
        State state,
        long version,
        String definition,
        Instant createdAt,
        Instant updatedAt,
        String updatedBy,
        long seq,
        Instant lastChangeAt,
        Instant lastFullEvaluationAt) {

    public enum Kind {
        RULE,
        STATIC;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    public enum State {
        DRAFT,
        ACTIVE,
        ARCHIVED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static State of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    /** One version of a definition, kept. */
    public record Version(long version, String definition, Instant createdAt, String createdBy) {}
}
