package io.strata.segmentation.crowds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.segmentation.crowds.Agglomerative.Linkage;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgglomerativeTest {

    /** Points on a line: 1, 2, 4, 7, 11; distances |a − b|. */
    private static final double[] LINE = {1, 2, 4, 7, 11};

    private static double[] lineDistances(double[] points) {
        int n = points.length;
        double[] d = new double[n * (n - 1) / 2];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                d[Preferences.index(n, i, j)] = Math.abs(points[i] - points[j]);
            }
        }
        return d;
    }

    /**
     * Ward on the line by hand, each height √(2·nA·nB / (nA + nB)) · |centroid A − centroid B|: {1,2}
     * at 1; {1,2}+4 at √(4/3)·2.5; {7,11} at 4; all at √(12/5)·(9 − 7/3).
     */
    @Test
    void wardMergesTheTextbookExampleInTheExpectedOrder() {
        Dendrogram tree = Agglomerative.cluster(5, lineDistances(LINE), null, Linkage.WARD);
        assertEquals(
                rounded(List.of(
                        new Dendrogram.Merge(0, 1, 1.0, 2),
                        new Dendrogram.Merge(2, 5, Math.sqrt(4.0 / 3) * 2.5, 3),
                        new Dendrogram.Merge(3, 4, 4.0, 2),
                        new Dendrogram.Merge(6, 7, Math.sqrt(12.0 / 5) * (9 - 7.0 / 3), 5))),
                rounded(tree.merges()));
        assertArrayEquals(new int[] {0, 0, 0, 1, 1}, tree.cut(2));
        assertArrayEquals(new int[] {0, 0, 1, 2, 3}, tree.cut(4));
        assertArrayEquals(new int[] {0, 0, 0, 0, 0}, tree.cut(1));
    }

    @Test
    void averageCompleteAndSingleLinkageOnTheSameLine() {
        // average: {1,2} 1; {1,2}+4 mean(3, 2) = 2.5; 7+11 4; then mean of |a−b| over the 6 pairs = 6.667
        Dendrogram average = Agglomerative.cluster(5, lineDistances(LINE), null, Linkage.AVERAGE);
        assertEquals(2.5, average.merges().get(1).height(), 1e-12);
        assertEquals((6 + 5 + 3 + 10 + 9 + 7) / 6.0, average.merges().get(3).height(), 1e-12);
        Dendrogram complete = Agglomerative.cluster(5, lineDistances(LINE), null, Linkage.COMPLETE);
        assertEquals(3, complete.merges().get(1).height(), 1e-12);
        assertEquals(10, complete.merges().get(3).height(), 1e-12);
        Dendrogram single = Agglomerative.cluster(5, lineDistances(LINE), null, Linkage.SINGLE);
        // single: 1–2 at 1, then 2–4 at 2, then 4–7 at 3, then 7–11 at 4: a chain
        assertEquals(
                List.of(1.0, 2.0, 3.0, 4.0),
                single.merges().stream().map(Dendrogram.Merge::height).toList());
    }

    /** An item of weight 2 is two identical items already merged: the rest of the tree is the same. */
    @Test
    void aWeightCountsAsThatManyIdenticalItems() {
        Dendrogram doubled = Agglomerative.cluster(5, lineDistances(new double[] {0, 0, 5, 6, 20}), null, Linkage.WARD);
        Dendrogram weighted = Agglomerative.cluster(
                4, lineDistances(new double[] {0, 5, 6, 20}), new double[] {2, 1, 1, 1}, Linkage.WARD);
        assertEquals(0, doubled.merges().get(0).height(), 1e-12);
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    doubled.merges().get(i + 1).height(),
                    weighted.merges().get(i).height(),
                    1e-9);
        }
    }

    @Test
    void tiesGoToTheLowestPairAndBadInputIsRefused() {
        Dendrogram tree = Agglomerative.cluster(3, new double[] {1, 1, 1}, null, Linkage.AVERAGE);
        assertEquals(new Dendrogram.Merge(0, 1, 1, 2), tree.merges().get(0));
        assertThrows(
                IllegalArgumentException.class,
                () -> Agglomerative.cluster(3, new double[] {1, 1}, null, Linkage.WARD));
        assertThrows(
                IllegalArgumentException.class,
                () -> Agglomerative.cluster(3, new double[] {1, Double.NaN, 1}, null, Linkage.WARD));
        assertThrows(
                IllegalArgumentException.class,
                () -> Agglomerative.cluster(2, new double[] {1}, new double[] {1, 0}, Linkage.WARD));
        assertThrows(IllegalArgumentException.class, () -> tree.cut(4));
    }

    private static List<Dendrogram.Merge> rounded(List<Dendrogram.Merge> merges) {
        return merges.stream()
                .map(m -> new Dendrogram.Merge(m.left(), m.right(), Math.round(m.height() * 1e9) / 1e9, m.members()))
                .toList();
    }

    @Test
    void theChainMergesAsTheClosestPairDoesEveryTime() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (Linkage linkage : Linkage.values()) {
            for (int run = 0; run < 20; run++) {
                int n = 2 + random.nextInt(40);
                double[][] points = new double[n][3];
                double[] weights = new double[n];
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < 3; c++) {
                        points[i][c] = random.nextDouble();
                    }
                    weights[i] = 1 + random.nextInt(50);
                }
                double[] d = new double[n * (n - 1) / 2];
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        double sum = 0;
                        for (int c = 0; c < 3; c++) {
                            sum += (points[i][c] - points[j][c]) * (points[i][c] - points[j][c]);
                        }
                        d[Preferences.index(n, i, j)] = Math.sqrt(sum);
                    }
                }
                List<Dendrogram.Merge> chain =
                        Agglomerative.cluster(n, d, weights, linkage).merges();
                List<Dendrogram.Merge> closest = closestPairEachTime(n, d, weights, linkage);
                for (int m = 0; m < n - 1; m++) {
                    assertEquals(closest.get(m).left(), chain.get(m).left(), linkage + " n=" + n + " merge " + m);
                    assertEquals(closest.get(m).right(), chain.get(m).right(), linkage + " n=" + n + " merge " + m);
                    assertEquals(closest.get(m).height(), chain.get(m).height(), 1e-9);
                    assertEquals(closest.get(m).members(), chain.get(m).members());
                }
            }
        }
    }

    /** The textbook O(n³) algorithm: the closest active pair merged at every step. */
    private static List<Dendrogram.Merge> closestPairEachTime(int n, double[] distances, double[] w, Linkage linkage) {
        double[][] d = new double[n][n];
        double[] size = w.clone();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double v = distances[Preferences.index(n, i, j)];
                if (linkage == Linkage.WARD) {
                    v *= Math.sqrt(2 * size[i] * size[j] / (size[i] + size[j]));
                }
                d[i][j] = v;
                d[j][i] = v;
            }
        }
        int[] id = new int[n];
        int[] members = new int[n];
        boolean[] active = new boolean[n];
        for (int i = 0; i < n; i++) {
            id[i] = i;
            members[i] = 1;
            active[i] = true;
        }
        List<Dendrogram.Merge> merges = new java.util.ArrayList<>();
        for (int step = 0; step < n - 1; step++) {
            int a = -1;
            int b = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    if (active[i] && active[j] && d[i][j] < best) {
                        best = d[i][j];
                        a = i;
                        b = j;
                    }
                }
            }
            for (int k = 0; k < n; k++) {
                if (active[k] && k != a && k != b) {
                    double v = linkage.update(d[a][k], d[b][k], d[a][b], size[a], size[b], size[k]);
                    d[a][k] = v;
                    d[k][a] = v;
                }
            }
            members[a] += members[b];
            size[a] += size[b];
            merges.add(new Dendrogram.Merge(Math.min(id[a], id[b]), Math.max(id[a], id[b]), best, members[a]));
            id[a] = n + step;
            active[b] = false;
        }
        return merges;
    }
}
