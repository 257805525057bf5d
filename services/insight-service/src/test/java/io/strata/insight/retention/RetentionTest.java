package io.strata.insight.retention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.insight.retention.Retention.Activity;
import io.strata.insight.retention.Retention.Cohort;
import io.strata.insight.retention.Retention.Mode;
import io.strata.insight.retention.Retention.Period;
import io.strata.insight.retention.Retention.Settings;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionTest {

    private static final LocalDate D0 = LocalDate.parse("2026-03-02"); // a Monday

    @Test
    void threeUsersOneBackOnDayOneOneOnDayFiveOneNever() {
        List<Activity> events = List.of(visit("a", 0), visit("b", 0), visit("c", 0), visit("a", 1), visit("b", 5));
        Cohort cohort = Retention.compute(events, new Settings(Period.DAY, 7, Mode.FIRST_TIME, 1))
                .get(0);

        assertEquals(3, cohort.size());
        assertArrayEquals(new long[] {3, 1, 0, 0, 0, 1, 0}, cohort.returnedOn(), "on day N: 100/33/0/0/0/33/0 %");
        assertArrayEquals(
                new long[] {3, 2, 1, 1, 1, 1, 0},
                cohort.returnedOnOrAfter(),
                "on or after day N: 100/66/33/33/33/33/0 %");
        assertEquals(1.0 / 3, cohort.rateOn(1), 1e-12);
        assertEquals(2.0 / 3, cohort.rateOnOrAfter(1), 1e-12);
    }

    @Test
    void cohortsByWeekAndMonthStartOnMondayAndOnTheFirst() {
        List<Activity> events = List.of(visit("a", 2), visit("a", 8), visit("b", 6), visit("b", 30));
        List<Cohort> weeks = Retention.compute(events, new Settings(Period.WEEK, 5, Mode.FIRST_TIME, 1));
        assertEquals(1, weeks.size(), "day 2 and day 6 are in the week of Monday 2 March");
        assertEquals(D0, weeks.get(0).start());
        assertArrayEquals(new long[] {2, 1, 0, 0, 1}, weeks.get(0).returnedOn());

        List<Cohort> months = Retention.compute(events, new Settings(Period.MONTH, 2, Mode.FIRST_TIME, 1));
        assertEquals(LocalDate.parse("2026-03-01"), months.get(0).start());
        assertArrayEquals(new long[] {2, 1}, months.get(0).returnedOn(), "1 April is the next month");
    }

    @Test
    void recurringRetentionStartsACohortAtEveryStartEventsPeriod() {
        List<Activity> events = List.of(order("a", 0, 50), order("a", 3, 70), order("a", 4, 20));
        Settings recurring = new Settings(Period.DAY, 3, Mode.RECURRING, 1);
        List<Cohort> cohorts = Retention.compute(events, recurring);
        assertEquals(3, cohorts.size(), "days 0, 3 and 4 each start a cohort");
        assertArrayEquals(new long[] {1, 0, 0}, cohorts.get(0).returnedOn(), "day 3 is beyond the table's 3 days");
        assertArrayEquals(new long[] {1, 1, 0}, cohorts.get(1).returnedOn());
        assertArrayEquals(new double[] {0, 20, 0}, cohorts.get(1).revenue(), 1e-12, "the return's revenue");

        List<Cohort> firstTime = Retention.compute(events, new Settings(Period.DAY, 5, Mode.FIRST_TIME, 1));
        assertEquals(1, firstTime.size());
        assertArrayEquals(new double[] {0, 0, 0, 70, 20}, firstTime.get(0).revenue(), 1e-12);
    }

    @Test
    void allCohortsTogetherAddUpEachFromItsOwnStart() {
        List<Activity> events =
                List.of(visit("a", 0), visit("a", 1), visit("b", 1), visit("b", 2), order("b", 3, 40), visit("c", 1));
        List<Cohort> cohorts = Retention.compute(events, new Settings(Period.DAY, 3, Mode.FIRST_TIME, 1));
        assertEquals(2, cohorts.size(), "day 0 (a) and day 1 (b, c)");
        Cohort overall = Retention.overall(cohorts, 3);
        assertEquals(3, overall.size());
        assertArrayEquals(new long[] {3, 2, 1}, overall.returnedOn(), "a and b a day later, b two days later");
        assertArrayEquals(new long[] {3, 2, 1}, overall.returnedOnOrAfter());
        assertArrayEquals(new double[] {0, 0, 40}, overall.revenue(), 1e-12);
        assertEquals(D0, overall.start());
    }

    @Test
    void returnedAtLeastNTimesCountsThePeriodsEvents() {
        List<Activity> events = new ArrayList<>(List.of(visit("a", 0), visit("b", 0)));
        events.add(visit("a", 1));
        events.add(visit("a", 1));
        events.add(visit("b", 1));
        Cohort cohort = Retention.compute(events, new Settings(Period.DAY, 2, Mode.FIRST_TIME, 2))
                .get(0);
        assertArrayEquals(new long[] {2, 2}, cohort.returnedOn());
        assertArrayEquals(new long[] {2, 1}, cohort.returnedAtLeast());
    }

    @Test
    void peopleWithoutAStartEventAreInNoCohort() {
        List<Activity> events = List.of(
                new Activity("x", D0, false, true, 0),
                visit("a", 0),
                new Activity("a", D0.plusDays(2), false, true, 0));
        Cohort cohort = Retention.compute(events, new Settings(Period.DAY, 3, Mode.FIRST_TIME, 1))
                .get(0);
        assertEquals(1, cohort.size());
        assertArrayEquals(new long[] {1, 0, 1}, cohort.returnedOn());
        assertThrows(IllegalArgumentException.class, () -> new Settings(Period.DAY, 0, Mode.FIRST_TIME, 1));
    }

    private static Activity visit(String person, int day) {
        return new Activity(person, D0.plusDays(day), true, true, 0);
    }

    private static Activity order(String person, int day, double revenue) {
        return new Activity(person, D0.plusDays(day), true, true, revenue);
    }
}
