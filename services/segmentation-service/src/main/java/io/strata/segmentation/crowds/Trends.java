package io.strata.segmentation.crowds;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Crowds over time, from their sizes recorded day by day: per period (day, ISO week, calendar
 * month) the size at its end (the last size recorded on or before its last day), the penetration
 * (that size over the base's at the same time) and the growth over the period before.
 */
public final class Trends {

    private Trends() {}

    public enum Period {
        DAY,
        WEEK,
        MONTH;

        /** The first day of the period holding {@code day}. */
        public LocalDate start(LocalDate day) {
            return switch (this) {
                case DAY -> day;
                case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                case MONTH -> day.withDayOfMonth(1);
            };
        }

        public LocalDate next(LocalDate start) {
            return switch (this) {
                case DAY -> start.plusDays(1);
                case WEEK -> start.plusWeeks(1);
                case MONTH -> start.plusMonths(1);
            };
        }
    }

    /**
     * One period of one crowd.
     *
     * @param size at the period's end (or at {@code to}, for the period holding it); -1 when no size
     *     was recorded by then
     * @param penetration size over the base's size then (NaN when either is unknown or the base 0)
     * @param growth (size − the period before's) / the period before's (NaN when either is unknown or 0)
     */
    public record Point(LocalDate period, long size, double penetration, double growth) {}

    /** The most periods one answer holds. */
    public static final int MOST_PERIODS = 400;

    /**
     * @param series per crowd, its sizes by day
     * @param base the base's sizes by day; null: the crowds' sizes added up (crowds that split a
     *     population, as the eight standard ones and the rest do)
     */
    public static Map<String, List<Point>> of(
            Map<String, NavigableMap<LocalDate, Long>> series,
            NavigableMap<LocalDate, Long> base,
            Period period,
            LocalDate from,
            LocalDate to) {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("the period ends (" + to + ") before it starts (" + from + ")");
        }
        List<LocalDate> starts = new ArrayList<>();
        for (LocalDate p = period.start(from); !p.isAfter(to); p = period.next(p)) {
            starts.add(p);
            if (starts.size() > MOST_PERIODS) {
                throw new IllegalArgumentException("more than " + MOST_PERIODS + " periods: choose a longer period");
            }
        }
        Map<String, long[]> sizes = new LinkedHashMap<>();
        series.forEach((id, days) -> {
            long[] s = new long[starts.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = at(days, end(starts.get(i), period, to));
            }
            sizes.put(id, s);
        });
        long[] denominator = new long[starts.size()];
        for (int i = 0; i < denominator.length; i++) {
            if (base != null) {
                denominator[i] = at(base, end(starts.get(i), period, to));
            } else {
                long sum = 0;
                boolean any = false;
                for (long[] s : sizes.values()) {
                    if (s[i] >= 0) {
                        sum += s[i];
                        any = true;
                    }
                }
                denominator[i] = any ? sum : -1;
            }
        }
        Map<String, List<Point>> out = new LinkedHashMap<>();
        sizes.forEach((id, s) -> {
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < s.length; i++) {
                double penetration = s[i] < 0 || denominator[i] <= 0 ? Double.NaN : (double) s[i] / denominator[i];
                double growth =
                        i == 0 || s[i] < 0 || s[i - 1] <= 0 ? Double.NaN : (double) (s[i] - s[i - 1]) / s[i - 1];
                points.add(new Point(starts.get(i), s[i], penetration, growth));
            }
            out.put(id, List.copyOf(points));
        });
        return out;
    }

    private static LocalDate end(LocalDate start, Period period, LocalDate to) {
        LocalDate last = period.next(start).minusDays(1);
        return last.isAfter(to) ? to : last;
    }

    private static long at(NavigableMap<LocalDate, Long> days, LocalDate day) {
        Map.Entry<LocalDate, Long> e = days.floorEntry(day);
        return e == null ? -1 : e.getValue();
    }
}
