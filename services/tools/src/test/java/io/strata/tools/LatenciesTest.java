package io.strata.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentilesAreNearestRank() {
        Latencies latencies = new Latencies();
        for (int i = 100; i >= 1; i--) {
            latencies.add(i * 1_000L); // 1..100 ms
        }
        assertEquals(50.0, latencies.percentileMillis(50));
        assertEquals(99.0, latencies.percentileMillis(99));
        assertEquals(100.0, latencies.percentileMillis(100));
        assertEquals(100, latencies.count());
    }

    @Test
    void anEmptySetHasNoPercentile() {
        assertTrue(Double.isNaN(new Latencies().percentileMillis(99)));
    }
}
