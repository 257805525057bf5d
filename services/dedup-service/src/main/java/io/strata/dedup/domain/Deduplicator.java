package io.strata.dedup.domain;

import java.time.Duration;

/**
 * Decides whether a record is the first sighting of its key within the window.
 *
 * <p>A key is a duplicate when it was forwarded less than the window before the record's time.
 * Records stamped by a clock that runs behind the one that stamped the forwarded copy count too:
 * the forwarded copy is then less than the window <em>after</em> the record, and the record is
 * still a duplicate. Dropped duplicates are not remembered, so the window runs from the copy that
 * was forwarded and a key resent forever is forwarded once per window.
 */
public final class Deduplicator {

    private final long windowMillis;
    private final SeenKeys seen;

    public Deduplicator(Duration window, SeenKeys seen) {
        if (window.isNegative() || window.toMillis() < 1) {
            throw new IllegalArgumentException("the dedup window must be at least 1 ms, not " + window);
        }
        this.windowMillis = window.toMillis();
        this.seen = seen;
    }

    /** Whether the key is new within the window at {@code time}; if so it is remembered at that time. */
    public boolean firstSighting(String key, long time) {
        long from = Math.max(0, time - (windowMillis - 1));
        long to = time > Long.MAX_VALUE - windowMillis ? Long.MAX_VALUE : time + windowMillis - 1;
        if (seen.seenBetween(key, from, to)) {
            return false;
        }
        seen.remember(key, time);
        return true;
    }
}
