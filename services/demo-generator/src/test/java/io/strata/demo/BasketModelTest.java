package io.strata.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

class BasketModelTest {

    private static final int N = Catalog.CATEGORIES.size();

    @Test
    void exactProbabilitiesAddUp() {
        double categoriesPerOrder = 0;
        double bundles = BasketModel.BUNDLES.stream()
                .mapToDouble(BasketModel.Bundle::probability)
                .sum();
        for (int a = 0; a < N; a++) {
            categoriesPerOrder += BasketModel.probability(a);
        }
        assertEquals(2 * bundles + (1 - bundles) * (1 + BasketModel.SECOND), categoriesPerOrder, 1e-12);
    }

    @Test
    void drawnBasketsHaveTheExactLift() {
        UniformRandomProvider rng = Rngs.of(11, 12, 13);
        int n = 400_000;
        long[] with = new long[N];
        long[][] both = new long[N][N];
        for (int i = 0; i < n; i++) {
            int[] basket = BasketModel.draw(rng);
            for (int a : basket) {
                with[a]++;
                for (int b : basket) {
                    if (a != b) {
                        both[a][b]++;
                    }
                }
            }
        }
        for (BasketModel.Bundle bundle : BasketModel.BUNDLES) {
            int a = bundle.a().index();
            int b = bundle.b().index();
            double observed = (double) both[a][b] * n / ((double) with[a] * with[b]);
            assertEquals(BasketModel.lift(a, b), observed, 0.05 * BasketModel.lift(a, b));
            assertTrue(BasketModel.lift(a, b) > 2);
        }
        int skincare = Catalog.category("skincare").index();
        int coffee = Catalog.category("coffee").index();
        assertTrue(BasketModel.lift(skincare, coffee) < 1.2);
    }
}
