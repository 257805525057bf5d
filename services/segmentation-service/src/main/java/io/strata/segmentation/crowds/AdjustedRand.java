package io.strata.segmentation.crowds;

import java.util.HashMap;
import java.util.Map;

/**
 * The adjusted Rand index (Hubert and Arabie 1985): the agreement of two partitions of the same
 * items, 1 when they are the same up to the labels' names, about 0 for chance agreement.
 */
public final class AdjustedRand {

    private AdjustedRand() {}

    /** ARI of two labelings of the same items; labels are compared only for equality. */
    public static double index(int[] a, int[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("labelings of " + a.length + " and " + b.length + " items");
        }
        int n = a.length;
        Map<Long, Integer> cells = new HashMap<>();
        Map<Integer, Integer> rows = new HashMap<>();
        Map<Integer, Integer> columns = new HashMap<>();
        for (int i = 0; i < n; i++) {
            cells.merge(((long) a[i] << 32) ^ (b[i] & 0xffffffffL), 1, Integer::sum);
            rows.merge(a[i], 1, Integer::sum);
            columns.merge(b[i], 1, Integer::sum);
        }
        double index = 0;
        for (int c : cells.values()) {
            index += pairs(c);
        }
        double rowPairs = 0;
        for (int c : rows.values()) {
            rowPairs += pairs(c);
        }
        double columnPairs = 0;
        for (int c : columns.values()) {
            columnPairs += pairs(c);
        }
        double all = pairs(n);
        double expected = all == 0 ? 0 : rowPairs * columnPairs / all;
        double max = (rowPairs + columnPairs) / 2;
        if (max == expected) {
            // both partitions trivial (all one cluster, or all singletons): they agree
            return 1;
        }
        return (index - expected) / (max - expected);
    }

    private static double pairs(long count) {
        return count * (count - 1) / 2.0;
    }
}
