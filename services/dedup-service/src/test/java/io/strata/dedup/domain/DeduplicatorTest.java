package io.strata.dedup.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {

    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long T0 = 1_772_352_000_000L;

    private final InMemorySeenKeys seen = new InMemorySeenKeys();
    private final Deduplicator dedup = new Deduplicator(Duration.ofHours(24), seen);

    @Test
    void aKeyIsNewOnceWithinTheWindow() {
        assertTrue(dedup.firstSighting("s1/m1", T0));
        assertFalse(dedup.firstSighting("s1/m1", T0), "same key, same time");
        assertFalse(dedup.firstSighting("s1/m1", T0 + 24 * HOUR - 1), "the last millisecond of the window");
        assertTrue(dedup.firstSighting("s2/m1", T0), "another source's message id is another key");
    }

    @Test
    void theWindowRunsFromTheForwardedCopy() {
        assertTrue(dedup.firstSighting("s1/m1", T0));
        assertFalse(dedup.firstSighting("s1/m1", T0 + 12 * HOUR));
        assertTrue(dedup.firstSighting("s1/m1", T0 + 24 * HOUR), "a dropped repeat does not extend the window");
        assertFalse(dedup.firstSighting("s1/m1", T0 + 30 * HOUR), "the window now runs from the second forward");
        assertEquals(2, seen.size("s1/m1"));
    }

    @Test
    void aRepeatStampedByAClockThatRunsBehindIsStillADuplicate() {
        assertTrue(dedup.firstSighting("s1/m1", T0));
        assertFalse(dedup.firstSighting("s1/m1", T0 - 3_000));
        assertTrue(dedup.firstSighting("s1/m1", T0 - 24 * HOUR), "a whole window earlier is another sighting");
    }

    @Test
    void theWindowMustLastAtLeastAMillisecond() {
        assertThrows(IllegalArgumentException.class, () -> new Deduplicator(Duration.ZERO, seen));
        assertThrows(IllegalArgumentException.class, () -> new Deduplicator(Duration.ofMillis(-1), seen));
        Deduplicator tight = new Deduplicator(Duration.ofMillis(1), seen);
        assertTrue(tight.firstSighting("k", T0));
        assertFalse(tight.firstSighting("k", T0));
        assertTrue(tight.firstSighting("k", T0 + 1));
    }

    private static final class InMemorySeenKeys implements SeenKeys {

        private final Map<String, NavigableSet<Long>> times = new HashMap<>();

        @Override
        public boolean seenBetween(String key, long from, long to) {
            NavigableSet<Long> at = times.get(key);
            return at != null && !at.subSet(from, true, to, true).isEmpty();
        }

        @Override
        public void remember(String key, long time) {
            times.computeIfAbsent(key, k -> new TreeSet<>()).add(time);
        }

        int size(String key) {
            return times.getOrDefault(key, new TreeSet<>()).size();
        }
    }
}
