package io.strata.insight.association;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published results on the groceries data (9,835 baskets of a grocery store: arules'
 * {@code Groceries}): Lantz's 463 rules and Hahsler's 5,668.
 */
class AssociationRulesTest {

    static final Path GROCERIES = Path.of("../../../shared/datasets/groceries/groceries.csv");

    private static Baskets groceries;

    @BeforeAll
    static void read() throws IOException {
        groceries = read(GROCERIES);
    }

    static Baskets read(Path file) throws IOException {
        Baskets.Builder builder = Baskets.builder();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                builder.add(Arrays.asList(line.split(",")));
            }
        }
        return builder.build();
    }

    @Test
    void supportSixPerMilleAndConfidenceAQuarterGive463RulesLedByHerbsAndRootVegetables() {
        var result = AssociationRules.mine(groceries, new AssociationRules.Settings(0.006, 0.25, 10));

        assertEquals(9_835, result.baskets());
        assertEquals(463, result.rules().size());
        Rule top = result.rules().get(0);
        assertEquals(List.of("herbs"), names(top.antecedent()));
        assertEquals(List.of("root vegetables"), names(top.consequent()));
        assertEquals(3.956, top.lift(), 0.0005);
        assertEquals(0.007015760, top.support(), 1e-8);
        assertEquals(0.43125, top.confidence(), 1e-9);
    }

    @Test
    void supportOnePerMilleAndConfidenceAHalfGive5668RulesOf13492Itemsets() {
        var result = AssociationRules.mine(groceries, new AssociationRules.Settings(0.001, 0.5, 10));

        assertEquals(13_492, result.itemsets().size());
        assertEquals(5_668, result.rules().size());
        Map<Integer, Long> byLength = result.rules().stream()
                .collect(Collectors.groupingBy(Rule::length, TreeMap::new, Collectors.counting()));
        assertEquals(Map.of(2, 11L, 3, 1_461L, 4, 3_211L, 5, 939L, 6, 46L), byLength);
    }

    @Test
    void theMeasuresOfARuleFollowFromItsCounts() {
        // 100 baskets: X in 40, Y in 50, both in 30
        Rule rule = new Rule(new int[] {0}, new int[] {1}, 30, 40, 50, 100);
        assertEquals(0.30, rule.support(), 1e-12);
        assertEquals(0.75, rule.confidence(), 1e-12);
        assertEquals(1.5, rule.lift(), 1e-12);
        assertEquals(0.30 - 0.40 * 0.50, rule.leverage(), 1e-12);
        assertEquals((1 - 0.5) / (1 - 0.75), rule.conviction(), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, new Rule(new int[] {0}, new int[] {1}, 40, 40, 50, 100).conviction());
    }

    @Test
    void everyItemsetCountIsTheNumberOfBasketsHoldingIt() {
        Baskets small = Baskets.builder()
                .add(List.of("a", "b", "c"))
                .add(List.of("a", "b"))
                .add(List.of("a", "c", "c"))
                .add(List.of("b"))
                .build();
        var itemsets = FpGrowth.mine(small, 1, 10);
        for (Itemset itemset : itemsets) {
            long holding = small.baskets().stream()
                    .filter(b -> Arrays.stream(itemset.items()).allMatch(i -> Arrays.binarySearch(b, i) >= 0))
                    .count();
            assertEquals(holding, itemset.count(), itemset.toString());
        }
        // a, b, c, ab, ac, bc, abc
        assertEquals(7, itemsets.size());
        assertTrue(itemsets.stream().noneMatch(i -> i.count() == 0));
        assertThrows(IllegalArgumentException.class, () -> new AssociationRules.Settings(0, 0.5, 5));
    }

    private static List<String> names(int[] items) {
        return Arrays.stream(items).mapToObj(groceries::name).toList();
    }
}
