package io.strata.demo;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The months the history covers: from {@code months} before the reference date to the reference
 * date (exclusive), at midnight China Standard Time. Taken from the arguments, never the clock.
 */
record TimeFrame(LocalDate reference, int months) {

    static final ZoneOffset ZONE = ZoneOffset.ofHours(8);
    static final long DAY = 86_400_000L;

    LocalDate startDate() {
        return reference.minusMonths(months);
    }

    /** Epoch milliseconds of the first instant. */
    long start() {
        return startDate().atStartOfDay().toInstant(ZONE).toEpochMilli();
    }

    /** Epoch milliseconds just after the last instant. */
    long end() {
        return reference.atStartOfDay().toInstant(ZONE).toEpochMilli();
    }
}
