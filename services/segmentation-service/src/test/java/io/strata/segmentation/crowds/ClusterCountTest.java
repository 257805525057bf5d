package io.strata.segmentation.crowds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.segmentation.crowds.Agglomerative.Linkage;
import io.strata.segmentation.crowds.ClusterCount.Choice;
import io.strata.segmentation.crowds.Preferences.Metric;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Micro-groups drawn from a few planted archetypes (what each buys across eight categories, with
 * the noise of a few hundred purchases each) are found again: the count chosen is the planted one
 * and the crowds match the archetypes (adjusted Rand index 1).
 */
class ClusterCountTest {

    private static final double[][] ARCHETYPES = {
        {0.40, 0.25, 0.10, 0.05, 0.05, 0.05, 0.05, 0.05},
        {0.05, 0.10, 0.40, 0.25, 0.05, 0.05, 0.05, 0.05},
        {0.05, 0.05, 0.05, 0.10, 0.40, 0.25, 0.05, 0.05},
        {0.10, 0.05, 0.05, 0.05, 0.05, 0.10, 0.30, 0.30},
    };

    private record Groups(double[][] vectors, double[] weights, int[] planted) {}

    private static Groups groups(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] vectors = new double[n][];
        double[] weights = new double[n];
        int[] planted = new int[n];
        double[] prior = new double[8];
        java.util.Arrays.fill(prior, 1.0 / 8);
        for (int g = 0; g < n; g++) {
            int archetype = g % ARCHETYPES.length;
            int purchases = 150 + random.nextInt(300);
            double[] counts = new double[8];
            for (int p = 0; p < purchases; p++) {
                double u = random.nextDouble();
                int c = 0;
                while (c < 7 && u >= ARCHETYPES[archetype][c]) {
                    u -= ARCHETYPES[archetype][c];
                    c++;
                }
                counts[c]++;
            }
            vectors[g] = Preferences.smooth(counts, prior, 8);
            weights[g] = purchases;
            planted[g] = archetype;
        }
        return new Groups(vectors, weights, planted);
    }

    @Test
    void plantedArchetypesAreFoundByHellingerAndWard() {
        Groups groups = groups(120, 3);
        double[] d = Preferences.distances(groups.vectors(), Metric.HELLINGER);
        Dendrogram tree = Agglomerative.cluster(120, d, groups.weights(), Linkage.WARD);
        ClusterCount.Settings settings =
                new ClusterCount.Settings(Metric.HELLINGER, Linkage.WARD, 10, 10, 7, Choice.SILHOUETTE_AND_GAP, 0);
        ClusterCount.Result result = ClusterCount.choose(groups.vectors(), groups.weights(), tree, settings);
        assertEquals(4, result.chosen(), "scores " + result.scores());
        assertEquals(1.0, AdjustedRand.index(groups.planted(), tree.cut(result.chosen())), 1e-12);
        ClusterCount.Score four = result.scores().get(3);
        assertTrue(four.silhouette() > 0.5, "silhouette at 4: " + four.silhouette());
        // the other rules agree here
        for (Choice choice : List.of(Choice.GAP, Choice.SILHOUETTE)) {
            assertEquals(
                    4,
                    ClusterCount.choose(groups.vectors(), groups.weights(), tree, settings.choosing(choice, 0))
                            .chosen(),
                    choice.name());
        }
    }

    @Test
    void jensenShannonWithAverageLinkageFindsThemToo() {
        Groups groups = groups(100, 5);
        double[] d = Preferences.distances(groups.vectors(), Metric.JENSEN_SHANNON);
        Dendrogram tree = Agglomerative.cluster(100, d, groups.weights(), Linkage.AVERAGE);
        ClusterCount.Result result = ClusterCount.choose(
                groups.vectors(),
                groups.weights(),
                tree,
                new ClusterCount.Settings(
                        Metric.JENSEN_SHANNON, Linkage.AVERAGE, 8, 10, 7, Choice.SILHOUETTE_AND_GAP, 0));
        assertEquals(4, result.chosen());
        assertTrue(AdjustedRand.index(groups.planted(), tree.cut(4)) >= 0.9);
    }

    @Test
    void theSameDataAndSettingsGiveTheSameResult() {
        Groups groups = groups(60, 11);
        double[] d = Preferences.distances(groups.vectors(), Metric.HELLINGER);
        Dendrogram tree = Agglomerative.cluster(60, d, groups.weights(), Linkage.WARD);
        ClusterCount.Settings settings =
                new ClusterCount.Settings(Metric.HELLINGER, Linkage.WARD, 8, 5, 99, Choice.SILHOUETTE_AND_GAP, 0);
        ClusterCount.Result a = ClusterCount.choose(groups.vectors(), groups.weights(), tree, settings);
        ClusterCount.Result b = ClusterCount.choose(
                groups.vectors(),
                groups.weights(),
                Agglomerative.cluster(60, d, groups.weights(), Linkage.WARD),
                settings);
        assertEquals(a, b);
    }

    /** Groups with no structure: nearly uniform preferences; the gap statistic, alone or with the silhouette, finds one crowd. */
    @Test
    void withoutStructureTheGapStatisticChoosesOne() {
        SplittableRandom random = new SplittableRandom(2);
        double[][] vectors = new double[60][8];
        for (double[] v : vectors) {
            double sum = 0;
            for (int c = 0; c < 8; c++) {
                v[c] = 0.1 + random.nextDouble() * 0.05;
                sum += v[c];
            }
            for (int c = 0; c < 8; c++) {
                v[c] /= sum;
            }
        }
        double[] d = Preferences.distances(vectors, Metric.HELLINGER);
        Dendrogram tree = Agglomerative.cluster(60, d, null, Linkage.WARD);
        for (Choice choice : List.of(Choice.GAP, Choice.SILHOUETTE_AND_GAP)) {
            assertEquals(
                    1,
                    ClusterCount.choose(
                                    vectors,
                                    null,
                                    tree,
                                    new ClusterCount.Settings(Metric.HELLINGER, Linkage.WARD, 8, 10, 3, choice, 0))
                            .chosen(),
                    choice.name());
        }
    }

    @Test
    void silhouetteOfTwoTightPairs() {
        // items 0,1 at distance 1; 2,3 at distance 1; across 10: each s = 1 − 1/10
        double[] d = new double[6];
        d[Preferences.index(4, 0, 1)] = 1;
        d[Preferences.index(4, 2, 3)] = 1;
        d[Preferences.index(4, 0, 2)] = 10;
        d[Preferences.index(4, 0, 3)] = 10;
        d[Preferences.index(4, 1, 2)] = 10;
        d[Preferences.index(4, 1, 3)] = 10;
        assertEquals(0.9, ClusterCount.silhouette(4, d, new int[] {0, 0, 1, 1}), 1e-12);
    }
}
