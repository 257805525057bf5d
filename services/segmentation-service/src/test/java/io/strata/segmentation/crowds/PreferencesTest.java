package io.strata.segmentation.crowds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PreferencesTest {

    @Test
    void hellingerIsZeroForIdenticalVectorsAndOneForDisjointOnes() {
        double[] p = {0.5, 0.3, 0.2, 0};
        assertEquals(0, Preferences.hellinger(p, p.clone()), 1e-12);
        assertEquals(1, Preferences.hellinger(new double[] {0.6, 0.4, 0, 0}, new double[] {0, 0, 0.1, 0.9}), 1e-12);
        // ‖√P − √Q‖₂ / √2 by hand: √P = (1, 0), √Q = (√.5, √.5)
        double expected = Math.sqrt(Math.pow(1 - Math.sqrt(0.5), 2) + 0.5) / Math.sqrt(2);
        assertEquals(expected, Preferences.hellinger(new double[] {1, 0}, new double[] {0.5, 0.5}), 1e-12);
    }

    @Test
    void jensenShannonAndCosineSpanZeroToOne() {
        double[] p = {0.2, 0.8};
        assertEquals(0, Preferences.jensenShannon(p, p), 1e-12);
        assertEquals(1, Preferences.jensenShannon(new double[] {1, 0}, new double[] {0, 1}), 1e-12);
        // JSD((1,0), (.5,.5)) in bits = ½·log2(1/.75) + ½·(.5·log2(.5/.25) + .5·log2(.5/.75))
        double jsd =
                0.5 * (Math.log(1 / 0.75) / Math.log(2)) + 0.5 * (0.5 * 1 + 0.5 * Math.log(0.5 / 0.75) / Math.log(2));
        assertEquals(Math.sqrt(jsd), Preferences.jensenShannon(new double[] {1, 0}, new double[] {0.5, 0.5}), 1e-12);
        assertEquals(0, Preferences.cosine(p, new double[] {0.1, 0.4}), 1e-12);
        assertEquals(1, Preferences.cosine(new double[] {1, 0}, new double[] {0, 3}), 1e-12);
    }

    @Test
    void smoothingPullsSmallGroupsTowardsThePrior() {
        double[] prior = {0.5, 0.25, 0.25};
        assertArrayEquals(
                new double[] {(2 + 1) / 6.0, 0.5 / 6.0, (2 + 0.5) / 6.0},
                Preferences.smooth(new double[] {2, 0, 2}, prior, 2),
                1e-12);
        assertArrayEquals(prior, Preferences.smooth(new double[] {0, 0, 0}, prior, 0), 1e-12);
        assertArrayEquals(new double[] {0.5, 0, 0.5}, Preferences.smooth(new double[] {2, 0, 2}, null, 0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Preferences.smooth(new double[] {-1, 2}, null, 1));
        assertThrows(IllegalArgumentException.class, () -> Preferences.smooth(new double[] {1, 2}, prior, 1));
    }

    @Test
    void condensedIndexesCoverEveryPairOnce() {
        int n = 6;
        boolean[] seen = new boolean[n * (n - 1) / 2];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int index = Preferences.index(n, i, j);
                assertEquals(false, seen[index]);
                seen[index] = true;
                assertEquals(index, Preferences.index(n, j, i));
            }
        }
    }
}
