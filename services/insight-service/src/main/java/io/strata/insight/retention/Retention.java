package io.strata.insight.retention;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Retention cohorts. A person enters a cohort with a start event (the first one: first-time
 * retention; every one, each in its own period: recurring retention) and returns with a return
 * event; periods are days, weeks (from Monday) or calendar months, counted from the start's
 * period, which is period 0 and 100 % by definition. For each cohort and period N:
 *
 * <ul>
 *   <li>returned on N: people with a return event in period N;
 *   <li>returned on or after N: people with a return event in period N or later (within the
 *       table's periods);
 *   <li>returned at least {@code minReturns} times on N: people with that many return events in
 *       period N (1 gives the first measure);
 *   <li>revenue: the cohort's return events' revenue in period N.
 * </ul>
 */
public final class Retention {

    private Retention() {}

    public enum Period {
        DAY,
        WEEK,
        MONTH;

        public long index(LocalDate day) {
            return switch (this) {
                case DAY -> day.toEpochDay();
                // epoch day 4 (1970-01-05) is a Monday
                case WEEK ->
                    Math.floorDiv(
                            day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                                            .toEpochDay()
                                    - 4,
                            7);
                case MONTH -> day.getYear() * 12L + day.getMonthValue() - 1;
            };
        }

        public LocalDate start(long index) {
            return switch (this) {
                case DAY -> LocalDate.ofEpochDay(index);
                case WEEK -> LocalDate.ofEpochDay(index * 7 + 4);
                case MONTH -> LocalDate.of((int) (index / 12), (int) (index % 12) + 1, 1);
            };
        }
    }

    public enum Mode {
        FIRST_TIME,
        RECURRING
    }

    /** One event of a person: its day (in the person's or the tenant's zone), and what it counts as. */
    public record Activity(String person, LocalDate day, boolean start, boolean returning, double revenue) {}

    public record Settings(Period period, int periods, Mode mode, int minReturns) {

        public Settings {
            if (periods < 1 || periods > 400) {
                throw new IllegalArgumentException("periods must be 1–400: " + periods);
            }
            if (minReturns < 1) {
                throw new IllegalArgumentException("minReturns must be at least 1: " + minReturns);
            }
        }
    }

    /** A cohort's row: its period, its size, and per period N the people and revenue. */
    public record Cohort(
            LocalDate start,
            long size,
            long[] returnedOn,
            long[] returnedOnOrAfter,
            long[] returnedAtLeast,
            double[] revenue) {

        public double rateOn(int n) {
            return size == 0 ? 0 : (double) returnedOn[n] / size;
        }

        public double rateOnOrAfter(int n) {
            return size == 0 ? 0 : (double) returnedOnOrAfter[n] / size;
        }
    }

    public static List<Cohort> compute(Iterable<Activity> activities, Settings settings) {
        Map<String, List<Activity>> byPerson = new HashMap<>();
        for (Activity activity : activities) {
            byPerson.computeIfAbsent(activity.person(), k -> new ArrayList<>()).add(activity);
        }
        int periods = settings.periods();
        Map<Long, Accumulator> cohorts = new TreeMap<>();
        for (List<Activity> events : byPerson.values()) {
            events.sort(Comparator.comparing(Activity::day));
            List<Long> starts = new ArrayList<>();
            for (Activity event : events) {
                if (event.start()) {
                    long index = settings.period().index(event.day());
                    if (starts.isEmpty()
                            || (settings.mode() == Mode.RECURRING && starts.get(starts.size() - 1) != index)) {
                        starts.add(index);
                    }
                }
            }
            for (long start : starts) {
                Accumulator cohort = cohorts.computeIfAbsent(start, k -> new Accumulator(periods));
                cohort.size++;
                int[] returns = new int[periods];
                for (Activity event : events) {
                    if (!event.returning()) {
                        continue;
                    }
                    long n = settings.period().index(event.day()) - start;
                    if (n < 0 || n >= periods) {
                        continue;
                    }
                    // a start event is not its own return: period 0 is the cohort itself
                    if (n == 0) {
                        continue;
                    }
                    returns[(int) n]++;
                    cohort.revenue[(int) n] += event.revenue();
                }
                int last = -1;
                for (int n = 1; n < periods; n++) {
                    if (returns[n] > 0) {
                        cohort.on[n]++;
                        last = n;
                    }
                    if (returns[n] >= settings.minReturns()) {
                        cohort.atLeast[n]++;
                    }
                }
                for (int n = 1; n <= last; n++) {
                    cohort.onOrAfter[n]++;
                }
            }
        }
        List<Cohort> out = new ArrayList<>();
        cohorts.forEach((start, c) -> {
            c.on[0] = c.size;
            c.onOrAfter[0] = c.size;
            c.atLeast[0] = c.size;
            out.add(new Cohort(settings.period().start(start), c.size, c.on, c.onOrAfter, c.atLeast, c.revenue));
        });
        return out;
    }

    /** All cohorts as one: their sums per period (each cohort's periods counted from its own start). */
    public static Cohort overall(List<Cohort> cohorts, int periods) {
        long size = 0;
        long[] on = new long[periods];
        long[] onOrAfter = new long[periods];
        long[] atLeast = new long[periods];
        double[] revenue = new double[periods];
        for (Cohort c : cohorts) {
            size += c.size();
            for (int n = 0; n < periods; n++) {
                on[n] += c.returnedOn()[n];
                onOrAfter[n] += c.returnedOnOrAfter()[n];
                atLeast[n] += c.returnedAtLeast()[n];
                revenue[n] += c.revenue()[n];
            }
        }
        return new Cohort(cohorts.isEmpty() ? null : cohorts.get(0).start(), size, on, onOrAfter, atLeast, revenue);
    }

    private static final class Accumulator {
        long size;
        final long[] on;
        final long[] onOrAfter;
        final long[] atLeast;
        final double[] revenue;

        Accumulator(int periods) {
            on = new long[periods];
            onOrAfter = new long[periods];
            atLeast = new long[periods];
            revenue = new double[periods];
        }
    }
}
