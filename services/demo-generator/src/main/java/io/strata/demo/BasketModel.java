package io.strata.demo;

import io.strata.demo.Catalog.Category;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Which categories an order holds. With the probability of a bundle, the order holds that
 * bundle's two categories (the planted pairs); otherwise it holds one category drawn by
 * popularity and, with {@link #SECOND}, a second one drawn the same way among the others. The
 * model is small enough for exact probabilities, so the planted lift of a pair is computed,
 * not estimated.
 */
final class BasketModel {

    /** A pair of categories bought together, and the share of orders that are that bundle. */
    record Bundle(Category a, Category b, double probability) {}

    static final double SECOND = 0.22;

    static final List<Bundle> BUNDLES = List.of(
            bundle("skincare", "masks", 0.05),
            bundle("coffee", "snacks", 0.035),
            bundle("sportswear", "yoga", 0.03),
            bundle("haircare", "bodycare", 0.03),
            bundle("baby_care", "toys", 0.025),
            bundle("pet_supplies", "cleaning", 0.02));

    private static final int N = Catalog.CATEGORIES.size();
    private static final Weighted CHOICE = new Weighted(bundleWeights());
    private static final Weighted POPULARITY = new Weighted(
            Catalog.CATEGORIES.stream().mapToDouble(Category::weight).toArray());

    private BasketModel() {}

    /** The categories of one order (one or two distinct indexes). */
    static int[] draw(UniformRandomProvider rng) {
        int choice = CHOICE.pick(rng);
        if (choice < BUNDLES.size()) {
            Bundle bundle = BUNDLES.get(choice);
            return new int[] {bundle.a().index(), bundle.b().index()};
        }
        int first = POPULARITY.pick(rng);
        if (rng.nextDouble() >= SECOND) {
            return new int[] {first};
        }
        int second;
        do {
            second = POPULARITY.pick(rng);
        } while (second == first);
        return new int[] {first, second};
    }

    /** A category drawn by popularity alone (for browsing). */
    static int popular(UniformRandomProvider rng) {
        return POPULARITY.pick(rng);
    }

    /** P(an order holds category a). */
    static double probability(int a) {
        double p = 0;
        for (Bundle bundle : BUNDLES) {
            if (bundle.a().index() == a || bundle.b().index() == a) {
                p += bundle.probability();
            }
        }
        double second = 0;
        for (int c = 0; c < N; c++) {
            if (c != a) {
                second += w(c) * w(a) / (1 - w(c));
            }
        }
        return p + free() * (w(a) + SECOND * second);
    }

    /** P(an order holds both a and b), a != b. */
    static double probability(int a, int b) {
        double p = 0;
        for (Bundle bundle : BUNDLES) {
            int x = bundle.a().index();
            int y = bundle.b().index();
            if (x == a && y == b || x == b && y == a) {
                p += bundle.probability();
            }
        }
        return p + free() * SECOND * (w(a) * w(b) / (1 - w(a)) + w(b) * w(a) / (1 - w(b)));
    }

    /** lift(a, b) = P(a and b) / (P(a) P(b)). */
    static double lift(int a, int b) {
        return probability(a, b) / (probability(a) * probability(b));
    }

    private static double w(int c) {
        return POPULARITY.probability(c);
    }

    private static double free() {
        return 1 - BUNDLES.stream().mapToDouble(Bundle::probability).sum();
    }

    private static double[] bundleWeights() {
        double[] weights = new double[BUNDLES.size() + 1];
        for (int i = 0; i < BUNDLES.size(); i++) {
            weights[i] = BUNDLES.get(i).probability();
        }
        weights[BUNDLES.size()] =
                1 - BUNDLES.stream().mapToDouble(Bundle::probability).sum();
        return weights;
    }

    private static Bundle bundle(String a, String b, double probability) {
        return new Bundle(Catalog.category(a), Catalog.category(b), probability);
    }
}
