package io.strata.demo;

import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The brand's own crowds, planted for custom strategic crowds to find: every micro-group of the
 * {@link #BASE_DIMENSIONS} (gender, city tier, occupation, income level) takes one archetype by a
 * hash of its values and the seed, and its consumers browse the archetype's three favourite
 * categories with {@link #AFFINITY}, the catalogue's popularity otherwise. Orders are left to
 * {@link BasketModel} (the planted lifts stay exact); the archetype draws come from a stream of
 * their own, so every other draw of a consumer is what it was without them.
 */
enum Archetype {
    BEAUTY_DEVOTEES("美妆达人", "beauty devotees", "makeup", "fragrance", "accessories"),
    FAMILY_KEEPERS("居家顾家", "family keepers", "kitchenware", "storage", "home_textiles"),
    ACTIVE_LIVING("运动健康", "active living", "outdoor", "shoes", "supplements"),
    DIGITAL_NATIVES("数码潮玩", "digital natives", "digital_accessories", "small_appliances", "stationery");

    /** The profile traits the micro-groups are made of, as identify sends them. */
    static final List<String> BASE_DIMENSIONS =
            List.of("traits.gender", "traits.cityTier", "traits.occupation", "traits.incomeLevel");

    /** The share of browsing views that go to the archetype's favourite categories. */
    static final double AFFINITY = 0.6;

    /** The events whose {@code category} property the archetype shapes (browsing, and its carts). */
    static final List<String> EVENTS = List.of("Product Viewed", "Product Added");

    private static final long STREAM = 9_001L;

    final String zh;
    final String en;
    final int[] favourites;

    Archetype(String zh, String en, String... favourites) {
        this.zh = zh;
        this.en = en;
        this.favourites = new int[favourites.length];
        for (int i = 0; i < favourites.length; i++) {
            this.favourites[i] = Catalog.category(favourites[i]).index();
        }
    }

    /** The archetype of a person's micro-group. */
    static Archetype of(long seed, Person person) {
        long key = ((person.gender().ordinal() * 8L + person.cityTier()) * 16
                                + person.occupation().ordinal())
                        * 8
                + person.incomeLevel();
        return values()[(int) Long.remainderUnsigned(Rngs.mix(seed, key, STREAM), values().length)];
    }

    /** The category a view goes to: a favourite with {@link #AFFINITY}, else {@code popular}. */
    int browse(int popular, UniformRandomProvider own) {
        return own.nextDouble() < AFFINITY ? favourites[own.nextInt(favourites.length)] : popular;
    }
}
