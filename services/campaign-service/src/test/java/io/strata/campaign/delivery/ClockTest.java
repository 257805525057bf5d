package io.strata.campaign.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.campaign.journey.LocalTimes;
import io.strata.campaign.journey.Node;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Period;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Time on the profile's clock: daylight-saving changes and quiet hours across midnight. */
class ClockTest {

    private static final ZoneId BERLIN =
            ZoneId.of("Europe/Berlin"); // DST 2026-03-29 02:00→03:00, 2026-10-25 03:00→02:00
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York"); // DST 2026-03-08 02:00→03:00

    @Test
    void aWaitOfDaysKeepsTheLocalClockTimeAcrossDaylightSavingChanges() {
        var week = new Node.WaitFor.For(Period.ofDays(7), Duration.ZERO);
        Instant before = Instant.parse("2026-03-25T09:00:00Z"); // 10:00 CET
        Instant after = LocalTimes.after(before, week, BERLIN);
        assertEquals(Instant.parse("2026-04-01T08:00:00Z"), after); // 10:00 CEST: 167 hours later
        assertEquals(Duration.ofHours(167), Duration.between(before, after));

        Instant autumn = Instant.parse("2026-10-22T08:00:00Z"); // 10:00 CEST
        assertEquals(Instant.parse("2026-10-29T09:00:00Z"), LocalTimes.after(autumn, week, BERLIN)); // 10:00 CET

        var elapsed = new Node.WaitFor.For(Period.ZERO, Duration.ofHours(24));
        assertEquals(
                Instant.parse("2026-03-29T09:00:00Z"),
                LocalTimes.after(Instant.parse("2026-03-28T09:00:00Z"), elapsed, BERLIN));
    }

    @Test
    void aLocalTimeInTheGapMovesForwardAndARepeatedOneFiresOnce() {
        Instant saturday = Instant.parse("2026-03-07T12:00:00Z");
        // 02:30 does not exist in New York on 8 March 2026: it is 03:30 EDT
        Instant gap = LocalTimes.next(saturday, LocalTime.of(2, 30), EnumSet.allOf(DayOfWeek.class), NEW_YORK);
        assertEquals(Instant.parse("2026-03-08T07:30:00Z"), gap);
        assertEquals(LocalTime.of(3, 30), gap.atZone(NEW_YORK).toLocalTime());

        // 02:30 happens twice in Berlin on 25 October 2026: the first (CEST) one, once
        Instant first = LocalTimes.next(
                Instant.parse("2026-10-24T12:00:00Z"), LocalTime.of(2, 30), EnumSet.allOf(DayOfWeek.class), BERLIN);
        assertEquals(Instant.parse("2026-10-25T00:30:00Z"), first);
        Instant next = LocalTimes.next(first, LocalTime.of(2, 30), EnumSet.allOf(DayOfWeek.class), BERLIN);
        assertEquals(Instant.parse("2026-10-26T01:30:00Z"), next, "not again an hour later");

        Instant monday = LocalTimes.next(saturday, LocalTime.of(10, 0), EnumSet.of(DayOfWeek.MONDAY), NEW_YORK);
        assertEquals(Instant.parse("2026-03-09T14:00:00Z"), monday);
    }

    @Test
    void quietHoursAcrossMidnight() {
        var quiet = QuietHours.chinaSms(); // 21:00–08:00
        assertTrue(quiet.quiet(LocalTime.of(21, 0)));
        assertTrue(quiet.quiet(LocalTime.of(23, 59)));
        assertTrue(quiet.quiet(LocalTime.of(0, 0)));
        assertTrue(quiet.quiet(LocalTime.of(7, 59)));
        assertFalse(quiet.quiet(LocalTime.of(8, 0)));
        assertFalse(quiet.quiet(LocalTime.of(20, 59)));

        ZoneId shanghai = ZoneId.of("Asia/Shanghai");
        // 22:00 → 08:00 the next morning; 03:00 → 08:00 the same morning; 12:00 stays
        assertEquals(
                Instant.parse("2026-03-05T00:00:00Z"),
                quiet.nextAllowed(Instant.parse("2026-03-04T14:00:00Z"), shanghai));
        assertEquals(
                Instant.parse("2026-03-05T00:00:00Z"),
                quiet.nextAllowed(Instant.parse("2026-03-04T19:00:00Z"), shanghai));
        assertEquals(
                Instant.parse("2026-03-04T04:00:00Z"),
                quiet.nextAllowed(Instant.parse("2026-03-04T04:00:00Z"), shanghai));

        var daytime = new QuietHours(LocalTime.of(12, 0), LocalTime.of(14, 0), Set.of());
        assertTrue(daytime.quiet(LocalTime.of(13, 0)));
        assertFalse(daytime.quiet(LocalTime.of(14, 0)));
        assertFalse(QuietHours.NONE.quiet(LocalTime.of(3, 0)));
    }

    @Test
    void quietHoursAcrossMidnightOnADaylightSavingNight() {
        // 01:00–02:30 quiet in New York; on 8 March 2026 02:30 does not exist, so the quiet ends at 03:30 EDT
        var quiet = new QuietHours(LocalTime.of(1, 0), LocalTime.of(2, 30), Set.of());
        Instant oneThirty = Instant.parse("2026-03-08T06:30:00Z");
        assertEquals(Instant.parse("2026-03-08T07:30:00Z"), quiet.nextAllowed(oneThirty, NEW_YORK));
        // the evening before a holiday, overnight quiet hours then the whole do-not-disturb day
        var holiday = new QuietHours(LocalTime.of(22, 0), LocalTime.of(8, 0), Set.of(LocalDate.of(2026, 10, 1)));
        ZoneId shanghai = ZoneId.of("Asia/Shanghai");
        assertEquals(
                Instant.parse("2026-10-02T00:00:00Z"),
                holiday.nextAllowed(Instant.parse("2026-09-30T15:00:00Z"), shanghai)); // 23:00 the night before
    }

    @Test
    void zonesFallBackToTheTenantsThenShanghai() {
        assertEquals(BERLIN, LocalTimes.zone(Optional.of("Europe/Berlin"), Optional.of("America/New_York")));
        assertEquals(NEW_YORK, LocalTimes.zone(Optional.of("Mars/Olympus"), Optional.of("America/New_York")));
        assertEquals(LocalTimes.FALLBACK, LocalTimes.zone(Optional.empty(), Optional.empty()));
    }
}
