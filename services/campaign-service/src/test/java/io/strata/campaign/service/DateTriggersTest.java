package io.strata.campaign.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.campaign.journey.Node;
import java.time.LocalDate;
import java.time.LocalTime;
import org.junit.jupiter.api.Test;

class DateTriggersTest {

    private static final Node.Entry.DateAttribute BIRTHDAY =
            new Node.Entry.DateAttribute("birthday", 0, LocalTime.of(9, 0), true);
    private static final Node.Entry.DateAttribute FIRST_PURCHASE_PLUS_7 =
            new Node.Entry.DateAttribute("first_purchase_at", 7, LocalTime.of(10, 0), false);

    @Test
    void aBirthdayFallsOnItsMonthAndDayEveryYearFromItsFirst() {
        assertTrue(DateTriggers.falls(LocalDate.of(1990, 12, 24), BIRTHDAY, LocalDate.of(2026, 12, 24)));
        assertFalse(DateTriggers.falls(LocalDate.of(1990, 12, 24), BIRTHDAY, LocalDate.of(2026, 12, 23)));
        assertFalse(DateTriggers.falls(LocalDate.of(2027, 12, 24), BIRTHDAY, LocalDate.of(2026, 12, 24)));
    }

    @Test
    void the29thOfFebruaryIsGreetedOnThe28thInOtherYears() {
        LocalDate leap = LocalDate.of(2000, 2, 29);
        assertTrue(DateTriggers.falls(leap, BIRTHDAY, LocalDate.of(2027, 2, 28)));
        assertFalse(DateTriggers.falls(leap, BIRTHDAY, LocalDate.of(2028, 2, 28)));
        assertTrue(DateTriggers.falls(leap, BIRTHDAY, LocalDate.of(2028, 2, 29)));
    }

    @Test
    void aOneOffDateWithAnOffsetFallsOnceSevenDaysLater() {
        LocalDate first = LocalDate.of(2026, 11, 28);
        assertTrue(DateTriggers.falls(first, FIRST_PURCHASE_PLUS_7, LocalDate.of(2026, 12, 5)));
        assertFalse(DateTriggers.falls(first, FIRST_PURCHASE_PLUS_7, LocalDate.of(2027, 12, 5)));
        assertFalse(DateTriggers.falls(first, FIRST_PURCHASE_PLUS_7, LocalDate.of(2026, 11, 28)));
    }
}
