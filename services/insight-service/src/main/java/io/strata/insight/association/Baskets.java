package io.strata.insight.association;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Baskets (an order's items, or what one consumer bought over a window) with their items as dense
 * ids: each basket holds an item once, in ascending order. {@link Builder} names the items.
 */
public record Baskets(List<String> itemNames, List<int[]> baskets) {

    public int itemCount() {
        return itemNames.size();
    }

    public int size() {
        return baskets.size();
    }

    public String name(int item) {
        return itemNames.get(item);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects baskets of named items; an item named twice in a basket counts once. */
    public static final class Builder {

        private final Map<String, Integer> ids = new HashMap<>();
        private final List<String> names = new ArrayList<>();
        private final List<int[]> baskets = new ArrayList<>();

        public Builder add(Iterable<String> items) {
            int[] basket = new int[8];
            int n = 0;
            for (String name : items) {
                int id = ids.computeIfAbsent(name, k -> {
                    names.add(k);
                    return names.size() - 1;
                });
                if (n == basket.length) {
                    basket = Arrays.copyOf(basket, n * 2);
                }
                basket[n++] = id;
            }
            int[] sorted = Arrays.copyOf(basket, n);
            Arrays.sort(sorted);
            baskets.add(Arrays.stream(sorted).distinct().toArray());
            return this;
        }

        public Baskets build() {
            return new Baskets(List.copyOf(names), List.copyOf(baskets));
        }
    }
}
