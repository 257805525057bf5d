package io.strata.demo;

import io.strata.demo.Person.Gender;
import io.strata.demo.Person.Occupation;
import java.time.LocalDate;
import java.util.List;

/**
 * The strategic crowds as rules over age (on the reference date), birth year, city tier,
 * occupation, income level and family status. The rules are tried in order and the first that
 * holds gives the crowd, so every consumer is in exactly one crowd ({@link Crowd#OTHER} when
 * none holds).
 */
final class CrowdRules {

    /** One rule, in the words the truths file and the README use. */
    record Rule(Crowd crowd, String text) {}

    static final List<Rule> RULES = List.of(
            new Rule(Crowd.REFINED_MUMS, "female, has kids, age 23-45, city tier 1-3, income level >= 2"),
            new Rule(Crowd.SMALL_TOWN_YOUTH, "age 18-30, city tier 4-5"),
            new Rule(Crowd.GEN_Z, "born 1995 or later (and not small-town youth)"),
            new Rule(
                    Crowd.NEW_WHITE_COLLAR,
                    "age <= 42, city tier 1-3, white-collar, civil servant or freelancer, income level >= 3"),
            new Rule(Crowd.SENIOR_MIDDLE_CLASS, "age 35-55, city tier 1-3, income level >= 4"),
            new Rule(Crowd.URBAN_BLUE_COLLAR, "age 18-50, city tier 1-3, blue-collar or self-employed"),
            new Rule(Crowd.URBAN_SILVER, "age >= 50, city tier 1-3"),
            new Rule(Crowd.SMALL_TOWN_MIDDLE_AGED, "age >= 31, city tier 4-5"),
            new Rule(Crowd.OTHER, "none of the above"));

    private CrowdRules() {}

    static Crowd of(Person p, LocalDate reference) {
        int age = p.age(reference);
        int tier = p.cityTier();
        boolean urban = tier <= 3;
        if (p.gender() == Gender.female && p.kids() > 0 && age >= 23 && age <= 45 && urban && p.incomeLevel() >= 2) {
            return Crowd.REFINED_MUMS;
        }
        if (age >= 18 && age <= 30 && !urban) {
            return Crowd.SMALL_TOWN_YOUTH;
        }
        if (p.birthday().getYear() >= 1995) {
            return Crowd.GEN_Z;
        }
        Occupation o = p.occupation();
        if (age <= 42
                && urban
                && p.incomeLevel() >= 3
                && (o == Occupation.white_collar || o == Occupation.civil_servant || o == Occupation.freelancer)) {
            return Crowd.NEW_WHITE_COLLAR;
        }
        if (age >= 35 && age <= 55 && urban && p.incomeLevel() >= 4) {
            return Crowd.SENIOR_MIDDLE_CLASS;
        }
        if (age >= 18 && age <= 50 && urban && (o == Occupation.blue_collar || o == Occupation.self_employed)) {
            return Crowd.URBAN_BLUE_COLLAR;
        }
        if (age >= 50 && urban) {
            return Crowd.URBAN_SILVER;
        }
        if (age >= 31 && !urban) {
            return Crowd.SMALL_TOWN_MIDDLE_AGED;
        }
        return Crowd.OTHER;
    }
}
