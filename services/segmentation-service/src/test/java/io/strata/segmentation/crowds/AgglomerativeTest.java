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
}
