package io.strata.insight.association;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Frequent itemsets by FP-Growth (Han, Pei, Yin 2000): one pass counts the items, a second builds a
 * prefix tree of the baskets with their frequent items in descending frequency, and the itemsets
 * are mined from conditional trees, item by item from the least frequent, without generating
 * candidates. Items are dense ints ({@link Baskets}); the tree lives in int arrays, so 1 M baskets
 * cost a few arrays, not a million objects.
 *
 * <p>No open-source Java library under an Apache- or MIT-style licence does this well (Smile and
 * SPMF are GPL; Spark MLlib is a cluster framework): the benchmark compares this one with Spark's
 * FP-Growth for equal counts.
 */
public final class FpGrowth {

    private FpGrowth() {}

    /**
     * Every itemset contained in at least {@code minCount} baskets (of every size from 1 up to
     * {@code maxLength}), with its count.
     */
    public static List<Itemset> mine(Baskets baskets, int minCount, int maxLength) {
        if (minCount < 1) {
            throw new IllegalArgumentException("minCount must be at least 1: " + minCount);
        }
        int[] counts = new int[baskets.itemCount()];
        for (int[] basket : baskets.baskets()) {
            for (int item : basket) {
                counts[item]++;
            }
        }
        List<Itemset> out = new ArrayList<>();
        Tree tree = Tree.of(baskets.baskets(), null, counts, minCount);
        tree.mine(new int[0], minCount, maxLength, out);
        return out;
    }

    /**
     * A prefix tree in arrays: node i has an item, a count, a parent and the next node of the same
     * item; the header keeps each item's first node and its total count. Items are ranked by
     * descending frequency so that common prefixes share nodes.
     */
    private static final class Tree {

        private int[] item = new int[1024];
        private int[] count = new int[1024];
        private int[] parent = new int[1024];
        private int[] next = new int[1024];
        // children: an open-addressing table from (parent node, item rank) to the child node, so a
        // node with many children (the root of a large tree has one per item) is found at once
        private long[] childKeys = new long[64];
        private int[] childNodes = new int[64];
        private int children;
        private int size = 1; // node 0 is the root

        /** Items in this tree, from the most to the least frequent. */
        private final int[] items;
        /** rank[item] = its place in {@link #items}, or -1 when infrequent here. */
        private final int[] rank;

        private final int[] headFirst;
        private final int[] headCount;

        private Tree(int[] items, int universe) {
            this.items = items;
            this.rank = new int[universe];
            Arrays.fill(rank, -1);
            for (int i = 0; i < items.length; i++) {
                rank[items[i]] = i;
            }
            headFirst = new int[items.length];
            Arrays.fill(headFirst, -1);
            headCount = new int[items.length];
            Arrays.fill(childKeys, -1L);
            parent[0] = -1;
        }

        /**
         * The tree of the given paths (each with a weight, 1 when {@code weights} is null) over
         * the items whose total count reaches {@code minCount}.
         */
        static Tree of(List<int[]> paths, int[] weights, int[] totals, int minCount) {
            int frequentCount = 0;
            for (int total : totals) {
                if (total >= minCount) {
                    frequentCount++;
                }
            }
            Integer[] frequent = new Integer[frequentCount];
            int f = 0;
            for (int i = 0; i < totals.length; i++) {
                if (totals[i] >= minCount) {
                    frequent[f++] = i;
                }
            }
            // descending count, then ascending item: a deterministic order
            Arrays.sort(
                    frequent,
                    (x, y) -> totals[x] != totals[y] ? Integer.compare(totals[y], totals[x]) : Integer.compare(x, y));
            int[] ordered = new int[frequentCount];
            for (int i = 0; i < frequentCount; i++) {
                ordered[i] = frequent[i];
            }
            Tree tree = new Tree(ordered, totals.length);
            int[] buffer = new int[16];
            for (int p = 0; p < paths.size(); p++) {
                int[] path = paths.get(p);
                int n = 0;
                if (buffer.length < path.length) {
                    buffer = new int[path.length];
                }
                for (int it : path) {
                    int r = tree.rank[it];
                    if (r >= 0) {
                        buffer[n++] = r;
                    }
                }
                if (n == 0) {
                    continue;
                }
                Arrays.sort(buffer, 0, n);
                tree.insert(buffer, n, weights == null ? 1 : weights[p]);
            }
            return tree;
        }

        private void insert(int[] ranks, int length, int weight) {
            int node = 0;
            for (int i = 0; i < length; i++) {
                int r = ranks[i];
                long key = ((long) node << 32) | r;
                int mask = childKeys.length - 1;
                int slot = slot(key, mask);
                while (childKeys[slot] != -1L && childKeys[slot] != key) {
                    slot = (slot + 1) & mask;
                }
                int child;
                if (childKeys[slot] == key) {
                    child = childNodes[slot];
                } else {
                    child = newNode(r, node);
                    childKeys[slot] = key;
                    childNodes[slot] = child;
                    if (++children * 2 > childKeys.length) {
                        growChildren();
                    }
                }
                count[child] += weight;
                headCount[r] += weight;
                node = child;
            }
        }

        private static int slot(long key, int mask) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }

        private void growChildren() {
            long[] keys = childKeys;
            int[] nodes = childNodes;
            childKeys = new long[keys.length * 2];
            childNodes = new int[keys.length * 2];
            Arrays.fill(childKeys, -1L);
            int mask = childKeys.length - 1;
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != -1L) {
                    int slot = slot(keys[i], mask);
                    while (childKeys[slot] != -1L) {
                        slot = (slot + 1) & mask;
                    }
                    childKeys[slot] = keys[i];
                    childNodes[slot] = nodes[i];
                }
            }
        }

        private int newNode(int r, int parentNode) {
            if (size == item.length) {
                int grown = size * 2;
                item = Arrays.copyOf(item, grown);
                count = Arrays.copyOf(count, grown);
                parent = Arrays.copyOf(parent, grown);
                next = Arrays.copyOf(next, grown);
            }
            int node = size++;
            item[node] = r;
            count[node] = 0;
            parent[node] = parentNode;
            next[node] = headFirst[r];
            headFirst[r] = node;
            return node;
        }

        /** Emits suffix ∪ {item} for every frequent item here, then mines its conditional tree. */
        void mine(int[] suffix, int minCount, int maxLength, List<Itemset> out) {
            for (int r = items.length - 1; r >= 0; r--) {
                int support = headCount[r];
                if (support < minCount) {
                    continue;
                }
                int[] itemset = Arrays.copyOf(suffix, suffix.length + 1);
                itemset[suffix.length] = items[r];
                out.add(new Itemset(sorted(itemset), support));
                if (itemset.length >= maxLength) {
                    continue;
                }
                // the conditional pattern base: each node's path to the root, weighted by its count
                List<int[]> paths = new ArrayList<>();
                List<Integer> weights = new ArrayList<>();
                int[] totals = new int[rank.length];
                for (int node = headFirst[r]; node >= 0; node = next[node]) {
                    int length = 0;
                    for (int up = parent[node]; up > 0; up = parent[up]) {
                        length++;
                    }
                    if (length == 0) {
                        continue;
                    }
                    int[] path = new int[length];
                    int i = 0;
                    for (int up = parent[node]; up > 0; up = parent[up]) {
                        path[i++] = items[item[up]];
                        totals[items[item[up]]] += count[node];
                    }
                    paths.add(path);
                    weights.add(count[node]);
                }
                if (paths.isEmpty()) {
                    continue;
                }
                int[] w = new int[weights.size()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = weights.get(i);
                }
                Tree conditional = Tree.of(paths, w, totals, minCount);
                if (conditional.items.length > 0) {
                    conditional.mine(itemset, minCount, maxLength, out);
                }
            }
        }

        private static int[] sorted(int[] itemset) {
            int[] copy = itemset.clone();
            Arrays.sort(copy);
            return copy;
        }
    }
}
