package io.strata.demo;

import io.strata.demo.Person.Gender;
import io.strata.demo.Person.Occupation;
import java.time.LocalDate;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;

/**
 * Demographics of the brand's consumers (a beauty-and-lifestyle brand: mostly women, mostly
 * 20-45, all city tiers). A consumer brought by a referrer tends to resemble them (look-alike):
 * same city, a similar age, often the same gender; what follows from those is drawn afresh.
 */
final class PersonSampler {

    static final double FEMALE = 0.68;
    /** Chance that an invited consumer copies the referrer's city tier, age band and gender. */
    static final double LOOKALIKE = 0.75;

    private static final int[][] AGE_BANDS = {{18, 24}, {25, 29}, {30, 34}, {35, 39}, {40, 49}, {50, 59}, {60, 70}};
    private static final Weighted AGE = new Weighted(14, 15, 17, 15, 17, 12, 10);
    private static final Weighted TIER = new Weighted(16, 24, 22, 22, 16);
    private static final Occupation[] OCCUPATIONS = Occupation.values();
    // student, white_collar, blue_collar, self_employed, civil_servant, freelancer, homemaker, retired
    private static final Weighted YOUNG = new Weighted(60, 8, 18, 4, 0.5, 7, 2.5, 0);
    private static final Weighted ADULT_BIG_CITY = new Weighted(2, 42, 19, 10, 7, 10, 10, 0);
    private static final Weighted ADULT_TIER3 = new Weighted(2, 32, 26, 13, 8, 8, 11, 0);
    private static final Weighted ADULT_SMALL_TOWN = new Weighted(2, 18, 32, 20, 9, 6, 13, 0);
    private static final Weighted SENIOR = new Weighted(0, 3, 12, 10, 2, 2, 10, 61);
    private static final double[] INCOME_MEAN = {1.2, 3.3, 2.1, 3.0, 3.0, 2.8, 2.4, 2.2};
    private static final double[] TIER_INCOME = {0.6, 0.3, 0, -0.4, -0.7};
    private static final Weighted KIDS = new Weighted(68, 29, 3);

    private PersonSampler() {}

    /**
     * @param like the referrer to resemble, or null
     */
    static Person sample(UniformRandomProvider rng, LocalDate reference, Person like) {
        boolean copy = like != null && rng.nextDouble() < LOOKALIKE;
        Gender gender;
        int age;
        int tier;
        String city;
        if (copy) {
            tier = like.cityTier();
            city = rng.nextDouble() < 0.6 ? like.city() : city(rng, tier);
            age = Math.max(18, Math.min(70, like.age(reference) + rng.nextInt(-3, 4)));
            gender = rng.nextDouble() < 0.8 ? like.gender() : gender(rng);
        } else {
            gender = gender(rng);
            int[] band = AGE_BANDS[AGE.pick(rng)];
            age = rng.nextInt(band[0], band[1] + 1);
            tier = TIER.pick(rng) + 1;
            city = city(rng, tier);
        }
        LocalDate birthday = reference.minusYears(age).minusDays(rng.nextInt(365));
        Occupation occupation = OCCUPATIONS[occupations(age, tier).pick(rng)];
        double mean = INCOME_MEAN[occupation.ordinal()] + TIER_INCOME[tier - 1];
        int income = (int) Math.max(
                1,
                Math.min(
                        5,
                        Math.round(mean
                                + 0.8
                                        * ZigguratSampler.NormalizedGaussian.of(rng)
                                                .sample())));
        boolean married =
                rng.nextDouble() < (age <= 22 ? 0.03 : age <= 27 ? 0.3 : age <= 32 ? 0.62 : age <= 45 ? 0.86 : 0.9);
        int kids = married && rng.nextDouble() < (age <= 25 ? 0.3 : age <= 30 ? 0.55 : age <= 45 ? 0.85 : 0.92)
                ? KIDS.pick(rng) + 1
                : 0;
        String[] family = Catalog.FAMILY_NAMES[rng.nextInt(Catalog.FAMILY_NAMES.length)];
        String[][] givens = gender == Gender.female ? Catalog.GIVEN_NAMES_FEMALE : Catalog.GIVEN_NAMES_MALE;
        String[] given = givens[rng.nextInt(givens.length)];
        return new Person(
                family[0] + given[0],
                family[1] + given[1],
                gender,
                birthday,
                city,
                tier,
                occupation,
                income,
                married,
                kids);
    }

    private static Gender gender(UniformRandomProvider rng) {
        return rng.nextDouble() < FEMALE ? Gender.female : Gender.male;
    }

    private static String city(UniformRandomProvider rng, int tier) {
        var cities = Catalog.CITIES.get(tier - 1);
        return cities.get(rng.nextInt(cities.size()));
    }

    private static Weighted occupations(int age, int tier) {
        if (age <= 22) {
            return YOUNG;
        }
        if (age >= 55) {
            return SENIOR;
        }
        return tier <= 2 ? ADULT_BIG_CITY : tier == 3 ? ADULT_TIER3 : ADULT_SMALL_TOWN;
    }
}
