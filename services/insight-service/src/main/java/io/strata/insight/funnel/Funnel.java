package io.strata.insight.funnel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Conversion funnels over people's events.
 *
 * <ul>
 *   <li><b>Ordered</b>: the steps in their order, other events between them allowed.
 *   <li><b>Strict</b>: each step the very next event of the person after the step before.
 *   <li><b>Any order</b>: the first k steps all done, in whatever order, within the window.
 * </ul>
 *
 * A person's funnel starts at any event of the first step; the window (default 14 days) runs from
 * it to the last step, and a step may have its own window since the step before. An exclusion
 * event between two steps (or anywhere in the funnel) ends the person's progress there, unless the
 * step before it happens again after the exclusion. Of all the ways a person's events go through
 * the funnel, the one reaching the furthest step is counted, the earliest of those. Per step: the
 * people reaching it, the conversion from the step before and from the first, the drop-off, and
 * the median and mean time since the step before; the same per group when broken down by a
 * property of the first step's event or by an audience.
 */
public final class Funnel {

    public static final Duration DEFAULT_WINDOW = Duration.ofDays(14);

    private Funnel() {}

    public enum Order {
        ORDERED,
        STRICT,
        ANY
    }

    /** An event that must not happen between step {@code afterStep} and the next (1-based; 0: anywhere). */
    public record Exclusion(Step event, int afterStep) {}

    public record Settings(List<Step> steps, Order order, Duration window, List<Exclusion> exclusions) {

        public Settings {
            if (steps == null || steps.size() < 2 || steps.size() > 20) {
                throw new IllegalArgumentException("a funnel has 2 to 20 steps");
            }
            steps = List.copyOf(steps);
            order = order == null ? Order.ORDERED : order;
            window = window == null ? DEFAULT_WINDOW : window;
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("window must be positive: " + window);
            }
            exclusions = exclusions == null ? List.of() : List.copyOf(exclusions);
            for (Exclusion exclusion : exclusions) {
                if (exclusion.afterStep() < 0 || exclusion.afterStep() >= steps.size()) {
                    throw new IllegalArgumentException(
                            "exclusions[].afterStep must be 0 to " + (steps.size() - 1) + ": " + exclusion.afterStep());
                }
            }
        }

        public static Settings ordered(List<Step> steps) {
            return new Settings(steps, Order.ORDERED, DEFAULT_WINDOW, List.of());
        }
    }

    /** How people are grouped: by a property of their first step's event, or by an audience. */
    @FunctionalInterface
    public interface Breakdown {
        String group(String person, Event firstStep);

        Breakdown NONE = (person, first) -> "";

        static Breakdown byProperty(String property) {
            return (person, first) -> String.valueOf(first.properties().getOrDefault(property, "(none)"));
        }

        static Breakdown byAudience(Map<String, String> audienceOfPerson) {
            return (person, first) -> audienceOfPerson.getOrDefault(person, "(none)");
        }
    }

    public record StepResult(
            String label,
            long people,
            double fromPrevious,
            double fromFirst,
            long dropOff,
            Duration medianTimeFromPrevious,
            Duration meanTimeFromPrevious) {

        /** Step k's result from the people reaching each step and its times from the step before. */
        public static StepResult of(String label, long[] people, int k, Duration median, Duration mean) {
            long previous = k == 0 ? people[0] : people[k - 1];
            return new StepResult(
                    label,
                    people[k],
                    previous == 0 ? 0 : (double) people[k] / previous,
                    people[0] == 0 ? 0 : (double) people[k] / people[0],
                    previous - people[k],
                    median,
                    mean);
        }
    }

    /** Named funnels of the tracking plan's events (Segment's e-commerce names), to start from. */
    public static Map<String, List<Step>> presets() {
        Map<String, List<Step>> presets = new LinkedHashMap<>();
        presets.put(
                "aarrr",
                List.of(
                        Step.of("Content Viewed").labelled("Acquisition"),
                        Step.of("Signed Up").labelled("Activation"),
                        Step.of("Product Viewed").labelled("Retention"),
                        Step.of("Order Completed").labelled("Revenue"),
                        Step.of("Invite Sent").labelled("Referral")));
        presets.put(
                "douyin-5a",
                List.of(
                        Step.of("Ad Viewed").labelled("A1 aware"),
                        Step.of("Content Viewed").labelled("A2 appeal"),
                        Step.of("Product Viewed").labelled("A3 ask"),
                        Step.of("Order Completed").labelled("A4 act"),
                        Step.of("Order Completed").labelled("A5 advocate")));
        presets.put(
                "traffic-lead-conversion",
                List.of(
                        Step.of("Product Viewed").labelled("Traffic"),
                        Step.of("Signed Up").labelled("Lead"),
                        Step.of("Order Completed").labelled("Conversion")));
        presets.put(
                "cart-to-payment",
                List.of(
                        Step.of("Product Added").labelled("Add to cart"),
                        Step.of("Order Completed").labelled("Payment")));
        return presets;
    }

    /** The funnel of each group (one group, "", without a breakdown), groups in name order. */
    public static Map<String, List<StepResult>> compute(
            Iterable<Event> events, Settings settings, Breakdown breakdown) {
        Map<String, List<StepResult>> out = new LinkedHashMap<>();
        cells(events, settings, breakdown).forEach((group, cells) -> out.put(group, cells.results(settings.steps())));
        return out;
    }

    /**
     * What a group's funnel is computed from, and what adds up over disjoint sets of people: per
     * step the people reaching it and, from the second step on, how many took each time (in
     * milliseconds) since the step before.
     */
    public record Cells(long[] people, List<SortedMap<Long, Long>> gaps) {

        public static Cells empty(int steps) {
            List<SortedMap<Long, Long>> gaps = new ArrayList<>();
            for (int k = 0; k < steps; k++) {
                gaps.add(new TreeMap<>());
            }
            return new Cells(new long[steps], gaps);
        }

        /** Adds the other's people and times to these. */
        public void add(Cells other) {
            for (int k = 0; k < people.length; k++) {
                people[k] += other.people[k];
                SortedMap<Long, Long> into = gaps.get(k);
                other.gaps.get(k).forEach((gap, count) -> into.merge(gap, count, Long::sum));
            }
        }

        /**
         * Each step's result: the median time (of an even number, the mean of the two middle ones,
         * rounded down to the millisecond) and the mean (rounded) since the step before.
         */
        public List<StepResult> results(List<Step> steps) {
            List<StepResult> out = new ArrayList<>();
            for (int k = 0; k < steps.size(); k++) {
                SortedMap<Long, Long> g = gaps.get(k);
                long count = 0;
                double sum = 0;
                for (Map.Entry<Long, Long> e : g.entrySet()) {
                    count += e.getValue();
                    sum += (double) e.getKey() * e.getValue();
                }
                Duration median = null;
                Duration mean = null;
                if (count > 0) {
                    long middle = count % 2 == 1
                            ? nth(g, count / 2)
                            : Math.floorDiv(nth(g, count / 2 - 1) + nth(g, count / 2), 2);
                    median = Duration.ofMillis(middle);
                    mean = Duration.ofMillis(Math.round(sum / count));
                }
                out.add(StepResult.of(steps.get(k).label(), people, k, median, mean));
            }
            return out;
        }

        /** The i-th smallest time (0-based) of the histogram. */
        private static long nth(SortedMap<Long, Long> histogram, long i) {
            long seen = 0;
            for (Map.Entry<Long, Long> e : histogram.entrySet()) {
                seen += e.getValue();
                if (i < seen) {
                    return e.getKey();
                }
            }
            throw new IllegalArgumentException("no value " + i + " among " + seen);
        }
    }

    /** The cells of each group's funnel (see {@link #compute}), groups in name order. */
    public static Map<String, Cells> cells(Iterable<Event> events, Settings settings, Breakdown breakdown) {
        Map<String, List<Event>> byPerson = new HashMap<>();
        for (Event event : events) {
            byPerson.computeIfAbsent(event.person(), k -> new ArrayList<>()).add(event);
        }
        int n = settings.steps().size();
        Map<String, Cells> groups = new TreeMap<>();
        for (Map.Entry<String, List<Event>> person : byPerson.entrySet()) {
            List<Event> timeline = person.getValue();
            timeline.sort(Comparator.comparing(Event::time));
            Path path = best(timeline, settings);
            if (path == null) {
                continue;
            }
            String group = Objects.requireNonNullElse(breakdown.group(person.getKey(), path.first()), "(none)");
            add(groups.computeIfAbsent(group, k -> Cells.empty(n)), path);
        }
        return groups;
    }

    private static void add(Cells cells, Path path) {
        for (int k = 0; k < path.reached(); k++) {
            cells.people()[k]++;
            if (k > 0) {
                cells.gaps()
                        .get(k)
                        .merge(
                                Duration.between(path.times()[k - 1], path.times()[k])
                                        .toMillis(),
                                1L,
                                Long::sum);
            }
        }
    }

    /** The furthest (then earliest) path of one person through the funnel, or null when none starts. */
    static Path best(List<Event> timeline, Settings settings) {
        Path best = null;
        for (int start = 0; start < timeline.size(); start++) {
            Path path = switch (settings.order()) {
                case ORDERED -> ordered(timeline, start, settings, false);
                case STRICT -> ordered(timeline, start, settings, true);
                case ANY -> anyOrder(timeline, start, settings);
            };
            if (path != null
                    && (best == null
                            || path.reached() > best.reached()
                            || (path.reached() == best.reached()
                                    && path.times()[path.reached() - 1].isBefore(best.times()[best.reached() - 1])))) {
                best = path;
            }
            if (best != null && best.reached() == settings.steps().size() && settings.order() != Order.ANY) {
                break; // later starts cannot end earlier
            }
        }
        return best;
    }

    private static Path ordered(List<Event> timeline, int start, Settings settings, boolean strict) {
        List<Step> steps = settings.steps();
        Event first = timeline.get(start);
        if (!steps.get(0).matches(first)) {
            return null;
        }
        Instant deadline = first.time().plus(settings.window());
        Instant[] times = new Instant[steps.size()];
        times[0] = first.time();
        int reached = 1;
        int cursor = start;
        for (int k = 1; k < steps.size(); k++) {
            Step step = steps.get(k);
            Step before = steps.get(k - 1);
            boolean blocked = false;
            int found = -1;
            for (int j = cursor + 1; j < timeline.size(); j++) {
                Event e = timeline.get(j);
                if (e.time().isAfter(deadline)
                        || (step.maxGap() != null
                                && Duration.between(times[k - 1], e.time()).compareTo(step.maxGap()) > 0)) {
                    break;
                }
                if (!strict && !e.time().isAfter(times[k - 1])) {
                    continue; // a step comes after the one before, not at the same instant
                }
                if (!strict && excluded(e, k, settings)) {
                    blocked = true;
                    continue;
                }
                if (blocked) {
                    // the step before, again after the exclusion: the funnel goes on from there
                    if (k > 1 && before.matches(e)) {
                        times[k - 1] = e.time();
                        blocked = false;
                    }
                    continue;
                }
                if (step.matches(e)) {
                    found = j;
                    break;
                }
                if (strict) {
                    break; // the next event is not the step
                }
            }
            if (found < 0) {
                break;
            }
            times[k] = timeline.get(found).time();
            cursor = found;
            reached++;
        }
        return new Path(first, reached, Arrays.copyOf(times, reached));
    }

    private static boolean excluded(Event e, int step, Settings settings) {
        for (Exclusion exclusion : settings.exclusions()) {
            if ((exclusion.afterStep() == 0 || exclusion.afterStep() == step)
                    && exclusion.event().matches(e)) {
                return true;
            }
        }
        return false;
    }

    private static Path anyOrder(List<Event> timeline, int start, Settings settings) {
        List<Step> steps = settings.steps();
        Event first = timeline.get(start);
        if (steps.stream().noneMatch(s -> s.matches(first))) {
            return null;
        }
        Instant deadline = first.time().plus(settings.window());
        Instant[] doneAt = new Instant[steps.size()];
        for (int j = start; j < timeline.size() && !timeline.get(j).time().isAfter(deadline); j++) {
            Event e = timeline.get(j);
            if (excluded(e, 0, settings)) {
                break;
            }
            for (int k = 0; k < steps.size(); k++) {
                if (doneAt[k] == null && steps.get(k).matches(e)) {
                    doneAt[k] = e.time();
                    break; // one event does one step
                }
            }
        }
        int reached = 0;
        while (reached < steps.size() && doneAt[reached] != null) {
            reached++;
        }
        if (reached == 0) {
            return null;
        }
        // the k-th step is done once steps 1..k all are: at the latest of their times
        Instant[] times = new Instant[reached];
        Instant latest = doneAt[0];
        for (int k = 0; k < reached; k++) {
            latest = doneAt[k].isAfter(latest) ? doneAt[k] : latest;
            times[k] = latest;
        }
        return new Path(first, reached, times);
    }

    record Path(Event first, int reached, Instant[] times) {}
}
