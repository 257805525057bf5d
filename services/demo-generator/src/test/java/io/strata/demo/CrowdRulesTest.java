package io.strata.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.demo.Person.Gender;
import io.strata.demo.Person.Occupation;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class CrowdRulesTest {

    private static final LocalDate ON = LocalDate.of(2026, 11, 1);

    private static Crowd crowd(Gender g, int age, int tier, Occupation o, int income, int kids) {
        Person p = new Person("x", "x", g, ON.minusYears(age).minusDays(10), "x", tier, o, income, kids > 0, kids);
        return CrowdRules.of(p, ON);
    }

    @Test
    void theEightCrowdsByTheirRules() {
        assertEquals(Crowd.REFINED_MUMS, crowd(Gender.female, 33, 2, Occupation.white_collar, 4, 1));
        assertEquals(Crowd.SMALL_TOWN_YOUTH, crowd(Gender.male, 22, 4, Occupation.blue_collar, 2, 0));
        assertEquals(Crowd.GEN_Z, crowd(Gender.female, 24, 1, Occupation.white_collar, 3, 0));
        assertEquals(Crowd.NEW_WHITE_COLLAR, crowd(Gender.male, 35, 1, Occupation.white_collar, 4, 0));
        assertEquals(Crowd.SENIOR_MIDDLE_CLASS, crowd(Gender.male, 48, 2, Occupation.self_employed, 5, 2));
        assertEquals(Crowd.URBAN_BLUE_COLLAR, crowd(Gender.male, 40, 3, Occupation.blue_collar, 2, 1));
        assertEquals(Crowd.URBAN_SILVER, crowd(Gender.female, 63, 1, Occupation.retired, 3, 2));
        assertEquals(Crowd.SMALL_TOWN_MIDDLE_AGED, crowd(Gender.female, 52, 5, Occupation.homemaker, 2, 2));
        assertEquals(Crowd.OTHER, crowd(Gender.male, 45, 3, Occupation.white_collar, 2, 0));
    }

    @Test
    void boundaries() {
        // born 1995 or later is Gen Z in a big city; in a small town 18-30 comes first
        assertEquals(Crowd.SMALL_TOWN_YOUTH, crowd(Gender.female, 20, 5, Occupation.student, 1, 0));
        assertEquals(Crowd.SMALL_TOWN_MIDDLE_AGED, crowd(Gender.male, 33, 4, Occupation.white_collar, 4, 0));
        // a mum in a small town is not a refined mum
        assertEquals(Crowd.SMALL_TOWN_YOUTH, crowd(Gender.female, 28, 4, Occupation.homemaker, 3, 1));
        // age counts whole years on the reference date
        Person turning =
                new Person("x", "x", Gender.male, LocalDate.of(1976, 11, 2), "x", 1, Occupation.retired, 2, true, 1);
        assertEquals(49, turning.age(ON));
        assertEquals(Crowd.OTHER, CrowdRules.of(turning, ON));
        assertEquals(Crowd.URBAN_SILVER, CrowdRules.of(turning, ON.plusDays(1)));
    }
}
