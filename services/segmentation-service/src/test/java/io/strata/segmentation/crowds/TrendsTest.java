package io.strata.segmentation.crowds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TrendsTest {

    private static NavigableMap<LocalDate, Long> sizes(Object... dayThenSize) {
        NavigableMap<LocalDate, Long> out = new TreeMap<>();
        for (int i = 0; i < dayThenSize.length; i += 2) {
            out.put(LocalDate.parse((String) dayThenSize[i]), ((Number) dayThenSize[i + 1]).longValue());
        }
        return out;
    }

    @Test
    void monthsTakeTheLastSizeOfTheirLastDayAndTheCrowdsAddUpToTheBase() {
        Map<String, NavigableMap<LocalDate, Long>> series = new java.util.LinkedHashMap<>();
        series.put("a", sizes("2026-09-10", 100, "2026-09-30", 120, "2026-10-15", 150, "2026-11-02", 180));
        series.put("b", sizes("2026-10-01", 80, "2026-11-01", 20));
        Map<String, List<Trends.Point>> out = Trends.of(
                series, null, Trends.Period.MONTH, LocalDate.parse("2026-09-05"), LocalDate.parse("2026-11-03"));
        List<Trends.Point> a = out.get("a");
        assertEquals(
                List.of(120L, 150L, 180L), a.stream().map(Trends.Point::size).toList());
        assertEquals(LocalDate.parse("2026-09-01"), a.get(0).period());
        assertTrue(Double.isNaN(a.get(0).growth()));
        assertEquals(0.25, a.get(1).growth(), 1e-12);
        // b unknown in September: a is all of the base then
        assertEquals(-1L, out.get("b").get(0).size());
        assertEquals(1.0, a.get(0).penetration(), 1e-12);
        assertEquals(150.0 / 230, a.get(1).penetration(), 1e-12);
        assertEquals(20.0 / 200, out.get("b").get(2).penetration(), 1e-12);
        assertEquals(-0.75, out.get("b").get(2).growth(), 1e-12);
    }

    @Test
    void weeksStartOnMondayAndABaseIsTheDenominator() {
        Map<String, List<Trends.Point>> out = Trends.of(
                Map.of("a", sizes("2026-11-02", 10, "2026-11-09", 30)),
                sizes("2026-11-01", 100, "2026-11-10", 200),
                Trends.Period.WEEK,
                LocalDate.parse("2026-11-04"),
                LocalDate.parse("2026-11-12"));
        List<Trends.Point> a = out.get("a");
        assertEquals(LocalDate.parse("2026-11-02"), a.get(0).period());
        assertEquals(0.1, a.get(0).penetration(), 1e-12);
        assertEquals(30.0 / 200, a.get(1).penetration(), 1e-12);
        assertEquals(2.0, a.get(1).growth(), 1e-12);
    }

    @Test
    void tooManyPeriodsOrAnEndBeforeTheStartAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> Trends.of(
                        Map.of(),
                        null,
                        Trends.Period.DAY,
                        LocalDate.parse("2020-01-01"),
                        LocalDate.parse("2026-01-01")));
        assertThrows(
                IllegalArgumentException.class,
                () -> Trends.of(
                        Map.of(),
                        null,
                        Trends.Period.DAY,
                        LocalDate.parse("2026-01-02"),
                        LocalDate.parse("2026-01-01")));
    }
}
