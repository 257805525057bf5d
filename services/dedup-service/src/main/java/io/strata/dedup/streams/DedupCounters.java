package io.strata.dedup.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code strata_dedup_events_total{outcome}}: what became of each record read. */
final class DedupCounters {

    final Counter forwarded;
    final Counter duplicates;
    final Counter deadLetters;

    DedupCounters(MeterRegistry registry) {
        forwarded = registry.counter("strata_dedup_events_total", "outcome", "forwarded");
        duplicates = registry.counter("strata_dedup_events_total", "outcome", "duplicate");
        deadLetters = registry.counter("strata_dedup_events_total", "outcome", "dead_letter");
    }
}
