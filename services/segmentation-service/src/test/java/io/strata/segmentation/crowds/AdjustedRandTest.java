package io.strata.segmentation.crowds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AdjustedRandTest {

    @Test
    void theDomainGuidesExampleIsOneSixth() {
        assertEquals(1.0 / 6, AdjustedRand.index(new int[] {1, 1, 1, 2, 2}, new int[] {1, 1, 2, 2, 2}), 1e-12);
    }

    @Test
    void theSamePartitionUnderOtherNamesIsOne() {
        assertEquals(1, AdjustedRand.index(new int[] {0, 0, 1, 1, 2}, new int[] {7, 7, 3, 3, 9}), 1e-12);
        assertEquals(1, AdjustedRand.index(new int[] {0, 1, 2}, new int[] {5, 6, 7}), 1e-12);
    }

    @Test
    void aPartitionAgainstOneClusterIsZero() {
        assertEquals(0, AdjustedRand.index(new int[] {0, 0, 1, 1}, new int[] {4, 4, 4, 4}), 1e-12);
        // against all singletons: no pair agrees, chance expects none
        assertEquals(0, AdjustedRand.index(new int[] {0, 0, 1, 1}, new int[] {0, 1, 2, 3}), 1e-12);
    }
}
