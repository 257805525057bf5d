package io.strata.insight.association;

import java.util.Arrays;

/** A frequent itemset: its items (dense ids, ascending) and the number of baskets holding them all. */
public record Itemset(int[] items, int count) {

    public int size() {
        return items.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Itemset that && count == that.count && Arrays.equals(items, that.items);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(items) + count;
    }

    @Override
    public String toString() {
        return Arrays.toString(items) + "×" + count;
    }
}
