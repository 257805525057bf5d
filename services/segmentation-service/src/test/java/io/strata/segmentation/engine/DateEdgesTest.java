package io.strata.segmentation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.Evaluator;
import io.strata.segmentation.rules.FieldType;
import io.strata.segmentation.rules.Op;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * The edges of date conditions on the bitmap path, each checked against the row-wise evaluator
 * too: the first and last millisecond of a window, days in the tenant's zone (across a daylight
 * saving change), and anniversaries of 29 February.
 */
class DateEdgesTest {

    private static final String FIELD = "traits.at";

    /** The profiles (named by their value) meeting a condition, by both paths, which must agree. */
    private static Set<String> members(ZoneId zone, Instant now, Condition.Compare condition, Object... values) {
        ProfileTable table = new ProfileTable(zone);
        for (Object value : values) {
            table.set(table.ordinal(String.valueOf(value)), FIELD, FieldType.DATE, value);
        }
        RoaringBitmap batch = new BitmapEvaluator(table, now, s -> new RoaringBitmap()).evaluate(condition);
        table.compact();
        RoaringBitmap rebuilt = new BitmapEvaluator(table, now, s -> new RoaringBitmap()).evaluate(condition);
        Set<String> out = new TreeSet<>();
        Set<String> rows = new TreeSet<>();
        batch.forEach((int o) -> out.add(table.profileId(o)));
        table.live().forEach((int o) -> {
            if (Evaluator.matches(condition, table.facts(o), new Evaluator.Context(now, zone, s -> false))) {
                rows.add(table.profileId(o));
            }
        });
        assertEquals(rows, out, "row-wise and bitmap paths differ");
        assertEquals(batch, rebuilt, "the rebuilt index answers differently");
        return out;
    }

    private static Condition.Compare days(Op op, int days) {
        return new Condition.Compare(FIELD, FieldType.DATE, op, List.of(), days);
    }

    private static Condition.Compare value(Op op, Object... values) {
        return new Condition.Compare(FIELD, FieldType.DATE, op, List.of(values), 0);
    }

    @Test
    void theLastNDaysIncludeBothEndsToTheMillisecond() {
        Instant now = Instant.parse("2026-05-10T12:00:00Z");
        Instant first = Instant.parse("2026-04-10T12:00:00Z");
        Set<String> in = members(
                ZoneId.of("UTC"), now, days(Op.WITHIN_LAST, 30), first.minusMillis(1), first, now, now.plusMillis(1));
        assertEquals(Set.of(first.toString(), now.toString()), in);
    }

    @Test
    void aDayValuedFieldCountsCalendarDaysInTheTenantsZone() {
        // 00:30 on 10 May in Shanghai is still 9 May in UTC
        Instant now = Instant.parse("2026-05-09T16:30:00Z");
        ZoneId shanghai = ZoneId.of("Asia/Shanghai");
        Set<String> in = members(
                shanghai,
                now,
                days(Op.WITHIN_LAST, 1),
                LocalDate.parse("2026-05-08"),
                LocalDate.parse("2026-05-09"),
                LocalDate.parse("2026-05-10"),
                LocalDate.parse("2026-05-11"));
        assertEquals(Set.of("2026-05-09", "2026-05-10"), in);
    }

    @Test
    void anInstantComparedWithADayUsesItsDayInTheZoneAcrossADaylightSavingChange() {
        // New York moves to summer time on 8 March 2026: that day has 23 hours
        ZoneId newYork = ZoneId.of("America/New_York");
        Instant startOf9th = LocalDate.parse("2026-03-09").atStartOfDay(newYork).toInstant();
        Instant startOf8th = LocalDate.parse("2026-03-08").atStartOfDay(newYork).toInstant();
        Instant now = Instant.parse("2026-04-01T00:00:00Z");
        Object[] values = {startOf8th.minusMillis(1), startOf8th, startOf9th.minusMillis(1), startOf9th};
        assertEquals(
                Set.of(startOf8th.toString(), startOf9th.minusMillis(1).toString()),
                members(newYork, now, value(Op.EQ, LocalDate.parse("2026-03-08")), values));
        assertEquals(
                Set.of(
                        startOf8th.minusMillis(1).toString(),
                        startOf8th.toString(),
                        startOf9th.minusMillis(1).toString()),
                members(newYork, now, value(Op.LTE, LocalDate.parse("2026-03-08")), values));
        assertEquals(
                Set.of(startOf9th.toString()),
                members(newYork, now, value(Op.GT, LocalDate.parse("2026-03-08")), values));
        assertEquals(
                Set.of(startOf8th.minusMillis(1).toString()),
                members(newYork, now, value(Op.LT, LocalDate.parse("2026-03-08")), values));
    }

    @Test
    void aDayComparedWithAnInstantIsTheInstantItsDayStarts() {
        ZoneId shanghai = ZoneId.of("Asia/Shanghai");
        Instant now = Instant.parse("2026-04-01T00:00:00Z");
        // 2026-03-08 starts at 2026-03-07T16:00Z in Shanghai
        Instant start = Instant.parse("2026-03-07T16:00:00Z");
        Object[] values = {LocalDate.parse("2026-03-07"), LocalDate.parse("2026-03-08"), LocalDate.parse("2026-03-09")};
        assertEquals(Set.of("2026-03-08"), members(shanghai, now, value(Op.EQ, start), values));
        assertEquals(Set.of(), members(shanghai, now, value(Op.EQ, start.plusNanos(1)), values));
        assertEquals(Set.of("2026-03-09"), members(shanghai, now, value(Op.GT, start), values));
        assertEquals(
                Set.of("2026-03-08", "2026-03-09"), members(shanghai, now, value(Op.GT, start.minusNanos(1)), values));
        assertEquals(Set.of("2026-03-07"), members(shanghai, now, value(Op.LT, start), values));
        assertEquals(
                Set.of("2026-03-07", "2026-03-08"),
                members(shanghai, now, value(Op.BETWEEN, start.minusSeconds(86_400), start), values));
    }

    @Test
    void anInstantWithNanosecondsComparesExactly() {
        Instant at = Instant.parse("2026-03-08T10:00:00.123Z");
        Instant now = Instant.parse("2026-04-01T00:00:00Z");
        ZoneId utc = ZoneId.of("UTC");
        assertEquals(
                Set.of(at.toString()), members(utc, now, value(Op.LTE, at.plusNanos(999_999)), at, at.plusMillis(1)));
        assertEquals(
                Set.of(at.plusMillis(1).toString()),
                members(utc, now, value(Op.GT, at.plusNanos(1)), at, at.plusMillis(1)));
        assertEquals(Set.of(), members(utc, now, value(Op.EQ, at.plusNanos(1)), at, at.plusMillis(1)));
        assertEquals(
                Set.of(at.plusMillis(1).toString()),
                members(utc, now, value(Op.GTE, at.plusNanos(1)), at, at.plusMillis(1)));
    }

    @Test
    void the29thOfFebruaryFallsOnThe28thInOtherYears() {
        ZoneId utc = ZoneId.of("UTC");
        Object[] birthdays = {
            LocalDate.parse("2000-02-29"), LocalDate.parse("1990-02-28"), LocalDate.parse("1990-03-01")
        };
        // 2027 has no 29 February
        assertEquals(
                Set.of("2000-02-29", "1990-02-28"),
                members(utc, Instant.parse("2027-02-28T08:00:00Z"), days(Op.ANNIVERSARY_WITHIN_NEXT, 0), birthdays));
        // 2028 has one: on the 28th, the 29th is a day away
        assertEquals(
                Set.of("1990-02-28"),
                members(utc, Instant.parse("2028-02-28T08:00:00Z"), days(Op.ANNIVERSARY_WITHIN_NEXT, 0), birthdays));
        assertEquals(
                Set.of("2000-02-29", "1990-02-28"),
                members(utc, Instant.parse("2028-02-28T08:00:00Z"), days(Op.ANNIVERSARY_WITHIN_NEXT, 1), birthdays));
        // after the 28th in 2027, the next is 29 February 2028
        assertEquals(
                Set.of("1990-03-01"),
                members(utc, Instant.parse("2027-03-01T08:00:00Z"), days(Op.ANNIVERSARY_WITHIN_NEXT, 30), birthdays));
    }

    @Test
    void anAnniversaryOfAnInstantIsItsDayInTheZone() {
        // 2000-05-09T20:00Z is 10 May in Shanghai
        Instant born = Instant.parse("2000-05-09T20:00:00Z");
        Instant now = Instant.parse("2026-05-10T01:00:00Z");
        assertEquals(
                Set.of(born.toString()),
                members(ZoneId.of("Asia/Shanghai"), now, days(Op.ANNIVERSARY_WITHIN_NEXT, 0), born));
        assertEquals(Set.of(), members(ZoneId.of("UTC"), now, days(Op.ANNIVERSARY_WITHIN_NEXT, 0), born));
    }
}
