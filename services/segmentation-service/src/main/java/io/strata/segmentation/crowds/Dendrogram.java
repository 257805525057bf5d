package io.strata.segmentation.crowds;

import java.util.Arrays;
import java.util.List;

/**
 * The tree an {@link Agglomerative} clustering makes, as SciPy's linkage matrix does: n − 1
 * merges in order; items are 0 … n − 1 and the cluster a merge makes is n + its step.
 *
 * @param items how many items were clustered
 * @param merges in order of height
 */
public record Dendrogram(int items, List<Merge> merges) {

    /**
     * One merge.
     *
     * @param left the lower id of the two merged
     * @param right the higher
     * @param height the distance at which they merged
     * @param members how many items the merged cluster holds
     */
    public record Merge(int left, int right, double height, int members) {}

    public Dendrogram {
        merges = List.copyOf(merges);
    }

    /**
     * Each item's cluster when the tree is cut into k clusters: 0 … k − 1, numbered in the order of
     * each cluster's first item.
     */
    public int[] cut(int k) {
        if (k < 1 || k > items) {
            throw new IllegalArgumentException("1 to " + items + " clusters, was " + k);
        }
        int[] parent = new int[2 * items - 1];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (int step = 0; step < items - k; step++) {
            Merge merge = merges.get(step);
            parent[merge.left()] = items + step;
            parent[merge.right()] = items + step;
        }
        int[] labels = new int[items];
        int[] labelOfRoot = new int[2 * items - 1];
        Arrays.fill(labelOfRoot, -1);
        int next = 0;
        for (int i = 0; i < items; i++) {
            int root = i;
            while (parent[root] != root) {
                root = parent[root];
            }
            if (labelOfRoot[root] < 0) {
                labelOfRoot[root] = next++;
            }
            labels[i] = labelOfRoot[root];
        }
        return labels;
    }
}
