package io.strata.segmentation.crowds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.segmentation.crowds.Lookalike.Method;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A population where one profile in ten belongs to a hidden "advocate" kind (more shares, more
 * content views, a tag more often) and a third of those are known seeds: the expansion ranks the
 * hidden seeds far above chance.
 */
class LookalikeTest {

    private record Population(double[][] features, boolean[] seeds) {}

    private static Population population(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] features = new double[n][5];
        boolean[] seeds = new boolean[n];
        for (int i = 0; i < n; i++) {
            boolean advocate = random.nextInt(10) == 0;
            seeds[i] = advocate && random.nextInt(3) == 0;
            features[i][0] = poisson(random, advocate ? 6 : 1); // shares
            features[i][1] = poisson(random, advocate ? 20 : 8); // content views
            features[i][2] = random.nextInt(100) < (advocate ? 70 : 15) ? 1 : 0; // a tag
            features[i][3] = random.nextGaussian(); // noise
            features[i][4] = 3; // a constant
        }
        return new Population(features, seeds);
    }

    /** A Poisson draw (Knuth's method; for small means). */
    static int poisson(SplittableRandom random, double mean) {
        double l = Math.exp(-mean);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > l);
        return k - 1;
    }

    @Test
    void bothMethodsFindHiddenSeedsFarAboveChance() {
        Population pop = population(6_000, 1);
        for (Method method : Method.values()) {
            Lookalike.Quality quality = Lookalike.quality(pop.features(), pop.seeds(), method, 0.3, 200, 5);
            assertTrue(quality.liftAtK() > 5, method + ": " + quality);
            assertTrue(quality.recallAtK() > 0.3, method + ": " + quality);
            assertEquals(quality.found() / (double) quality.hidden(), quality.recallAtK(), 1e-12);
            assertEquals(
                    (quality.found() / (double) quality.k()) / ((double) quality.hidden() / quality.ranked()),
                    quality.liftAtK(),
                    1e-12);
        }
    }

    @Test
    void theSameInputGivesTheSameScores() {
        Population pop = population(2_000, 4);
        assertEquals(
                java.util.Arrays.toString(Lookalike.expand(pop.features(), pop.seeds(), Method.POSITIVE_UNLABELED, 3)
                        .scores()),
                java.util.Arrays.toString(Lookalike.expand(pop.features(), pop.seeds(), Method.POSITIVE_UNLABELED, 3)
                        .scores()));
    }

    @Test
    void badInputIsRefused() {
        Population pop = population(100, 4);
        assertThrows(
                IllegalArgumentException.class,
                () -> Lookalike.expand(pop.features(), new boolean[100], Method.CENTROID, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> Lookalike.quality(pop.features(), pop.seeds(), Method.CENTROID, 1.5, 10, 1));
        double[][] bad = pop.features().clone();
        bad[3] = new double[] {1, 2, Double.NaN, 0, 0};
        assertThrows(IllegalArgumentException.class, () -> Lookalike.expand(bad, pop.seeds(), Method.CENTROID, 1));
    }
}
