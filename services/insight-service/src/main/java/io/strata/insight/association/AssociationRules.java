package io.strata.insight.association;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Frequent itemsets and the rules among them, as association-rule tools report them (arules'
 * apriori, Spark MLlib's FP-Growth): a rule has a non-empty antecedent and one item as its
 * consequent, and is kept when its support and confidence reach the thresholds.
 */
public final class AssociationRules {

    private AssociationRules() {}

    /** Thresholds: support and confidence as shares, the longest itemset (items on both sides). */
    public record Settings(double minSupport, double minConfidence, int maxLength) {

        public Settings {
            if (!(minSupport > 0 && minSupport <= 1)) {
                throw new IllegalArgumentException("minSupport must be in (0, 1]: " + minSupport);
            }
            if (!(minConfidence >= 0 && minConfidence <= 1)) {
                throw new IllegalArgumentException("minConfidence must be in [0, 1]: " + minConfidence);
            }
            if (maxLength < 2) {
                throw new IllegalArgumentException("maxLength must be at least 2: " + maxLength);
            }
        }

        /** The fewest baskets an itemset must be in: support × n, rounded up. */
        public int minCount(int n) {
            return Math.max(1, (int) Math.ceil(minSupport * n - 1e-9));
        }
    }

    public record Result(int baskets, List<Itemset> itemsets, List<Rule> rules) {}

    public static Result mine(Baskets baskets, Settings settings) {
        int n = baskets.size();
        List<Itemset> itemsets = FpGrowth.mine(baskets, settings.minCount(n), settings.maxLength());
        return new Result(n, itemsets, rules(itemsets, n, settings.minConfidence()));
    }

    /** Every rule X → {y} of the itemsets whose confidence reaches the threshold, by lift, then confidence. */
    public static List<Rule> rules(List<Itemset> itemsets, int n, double minConfidence) {
        Map<Key, Integer> counts = new HashMap<>(itemsets.size() * 2);
        for (Itemset itemset : itemsets) {
            counts.put(new Key(itemset.items()), itemset.count());
        }
        List<Rule> rules = new ArrayList<>();
        for (Itemset itemset : itemsets) {
            int[] items = itemset.items();
            if (items.length < 2) {
                continue;
            }
            for (int i = 0; i < items.length; i++) {
                int[] antecedent = new int[items.length - 1];
                System.arraycopy(items, 0, antecedent, 0, i);
                System.arraycopy(items, i + 1, antecedent, i, items.length - i - 1);
                // every subset of a frequent itemset is frequent: both are there
                int antecedentCount = counts.get(new Key(antecedent));
                if ((double) itemset.count() / antecedentCount < minConfidence) {
                    continue;
                }
                int consequentCount = counts.get(new Key(new int[] {items[i]}));
                rules.add(new Rule(
                        antecedent, new int[] {items[i]}, itemset.count(), antecedentCount, consequentCount, n));
            }
        }
        rules.sort(Comparator.comparingDouble(Rule::lift)
                .reversed()
                .thenComparing(Comparator.comparingDouble(Rule::confidence).reversed())
                .thenComparing(r -> Arrays.toString(r.antecedent()))
                .thenComparing(r -> r.consequent()[0]));
        return rules;
    }

    private record Key(int[] items) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Key that && Arrays.equals(items, that.items);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(items);
        }
    }
}
