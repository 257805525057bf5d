package io.strata.segmentation.crowds;

import java.util.ArrayList;
import java.util.List;

/**
 * Agglomerative hierarchical clustering of a few hundred or thousand items (micro-groups) from
 * their pairwise distances, by the Lance–Williams updates: each step merges the two closest
 * clusters and computes the merged cluster's distance to every other from theirs. O(n³) time and
 * O(n²) memory: 1,000 micro-groups in well under a second. Ties go to the pair of lowest indexes,
 * so the same distances always give the same tree.
 *
 * <p>Written here rather than taken from a library: the well-kept Java libraries with hierarchical
 * clustering are GPL (Smile) or AGPL (ELKI), and Hipparchus and Commons Math have k-means and
 * DBSCAN only.
 */
public final class Agglomerative {

    /** The most items clustered at once. */
    public static final int MOST_ITEMS = 5_000;

    private Agglomerative() {}

    /** How the distance of a merged cluster to another is made from its parts' distances. */
    public enum Linkage {
        /**
         * Ward: the merge that least increases the within-cluster sum of squares, on Euclidean
         * distances (Hellinger is one); heights as SciPy gives them.
         */
        WARD,
        /** Average (UPGMA): the mean distance between the clusters' members, weighted by their sizes. */
        AVERAGE,
        /** Complete: the largest distance between members. */
        COMPLETE,
        /** Single: the smallest distance between members. */
        SINGLE;

        double update(double dak, double dbk, double dab, double na, double nb, double nk) {
            return switch (this) {
                case WARD -> {
                    double t = na + nb + nk;
                    double squared = ((na + nk) * dak * dak + (nb + nk) * dbk * dbk - nk * dab * dab) / t;
                    yield Math.sqrt(Math.max(0, squared));
                }
                case AVERAGE -> (na * dak + nb * dbk) / (na + nb);
                case COMPLETE -> Math.max(dak, dbk);
                case SINGLE -> Math.min(dak, dbk);
            };
        }
    }

    /**
     * Clusters n items.
     *
     * @param distances condensed, as {@link Preferences#distances} gives them (n(n−1)/2 entries)
     * @param weights each item's size (a micro-group's consumers), or null for 1 each: an item of
     *     weight w counts as w identical points (Ward's distance between two items is then
     *     √(2·wᵢ·wⱼ / (wᵢ + wⱼ)) times theirs, and the average weighs members by it)
     */
    public static Dendrogram cluster(int n, double[] distances, double[] weights, Linkage linkage) {
        if (n < 1 || n > MOST_ITEMS) {
            throw new IllegalArgumentException("1 to " + MOST_ITEMS + " items, was " + n);
        }
        if (distances.length != n * (n - 1) / 2) {
            throw new IllegalArgumentException(
                    n + " items need " + n * (n - 1) / 2 + " distances, were " + distances.length);
        }
        if (weights != null && weights.length != n) {
            throw new IllegalArgumentException(n + " items, " + weights.length + " weights");
        }
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double value = distances[Preferences.index(n, i, j)];
                if (!(value >= 0) || Double.isInfinite(value)) {
                    throw new IllegalArgumentException("distance " + i + "–" + j + " is " + value);
                }
                d[i][j] = value;
                d[j][i] = value;
            }
        }
        double[] size = new double[n];
        int[] members = new int[n];
        boolean[] active = new boolean[n];
        for (int i = 0; i < n; i++) {
            double w = weights == null ? 1 : weights[i];
            if (!(w > 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weight " + i + " is " + w + "; weights must be > 0");
            }
            size[i] = w;
            members[i] = 1;
            active[i] = true;
        }
        if (linkage == Linkage.WARD && weights != null) {
            // an item of weight w is w identical points: Ward's distance between two such clusters
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    double scaled = d[i][j] * Math.sqrt(2 * size[i] * size[j] / (size[i] + size[j]));
                    d[i][j] = scaled;
                    d[j][i] = scaled;
                }
            }
        }
        // the nearest-neighbour chain (every linkage here is reducible): O(n²) rather than O(n³),
        // the same merges as merging the closest pair each time, found in another order
        int[] chain = new int[n];
        int length = 0;
        int[] from = new int[n - 1];
        int[] into = new int[n - 1];
        double[] height = new double[n - 1];
        for (int step = 0; step < n - 1; step++) {
            if (length == 0) {
                for (int i = 0; i < n; i++) {
                    if (active[i]) {
                        chain[length++] = i;
                        break;
                    }
                }
            }
            int x;
            int y;
            double best;
            while (true) {
                x = chain[length - 1];
                // the item before on the chain wins a tie, so the chain always ends
                y = length > 1 ? chain[length - 2] : -1;
                best = y >= 0 ? d[x][y] : Double.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    if (active[i] && i != x && d[x][i] < best) {
                        best = d[x][i];
                        y = i;
                    }
                }
                if (length > 1 && y == chain[length - 2]) {
                    break;
                }
                chain[length++] = y;
            }
            length -= 2;
            int a = Math.min(x, y);
            int b = Math.max(x, y);
            for (int k = 0; k < n; k++) {
                if (active[k] && k != a && k != b) {
                    double value = linkage.update(d[a][k], d[b][k], d[a][b], size[a], size[b], size[k]);
                    d[a][k] = value;
                    d[k][a] = value;
                }
            }
            size[a] += size[b];
            active[b] = false;
            from[step] = b;
            into[step] = a;
            height[step] = best;
        }
        // in order of height (stable: ties keep the order found), each cluster named as SciPy names it
        Integer[] order = new Integer[n - 1];
        for (int i = 0; i < n - 1; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (p, q) -> Double.compare(height[p], height[q]));
        int[] label = new int[n];
        for (int i = 0; i < n; i++) {
            label[i] = i;
        }
        List<Dendrogram.Merge> merges = new ArrayList<>(n - 1);
        for (int step = 0; step < n - 1; step++) {
            int m = order[step];
            int left = label[into[m]];
            int right = label[from[m]];
            members[into[m]] += members[from[m]];
            merges.add(new Dendrogram.Merge(Math.min(left, right), Math.max(left, right), height[m], members[into[m]]));
            label[into[m]] = n + step;
        }
        return new Dendrogram(n, merges);
    }
}
