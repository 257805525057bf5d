package io.strata.segmentation.models;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * The churn early warning: a profile is at risk when its activity in the recent window is at most
 * a share of its activity in the window of the same length before it, which must not be empty.
 * Windows end at "now", half-open: the recent one is [now − w, now), the previous [now − 2w, now − w).
 */
public final class ChurnWarning {

    /**
     * @param activity the events that count as activity (names, or a Segment call type such as
     *     {@code page})
     * @param windowDays the length of each window
     * @param maxShare at most this share of the previous window's activity (0.5: a drop of half or more)
     */
    public record Settings(Set<String> activity, int windowDays, double maxShare) {

        /** Visits (page calls) over 30 days, at most half of the 30 days before. */
        public static final Settings DEFAULTS = new Settings(Set.of("page"), 30, 0.5);

        public Settings {
            activity = Set.copyOf(activity);
            if (activity.isEmpty()) {
                throw new IllegalArgumentException("churn.activity must name at least one event");
            }
            if (windowDays < 1) {
                throw new IllegalArgumentException("churn.window_days must be at least 1, was " + windowDays);
            }
            if (!(maxShare >= 0 && maxShare < 1)) {
                throw new IllegalArgumentException("churn.max_share must be in [0, 1), was " + maxShare);
            }
        }
    }

    /** Activity counted in the two windows. */
    public record Counts(long previous, long recent) {}

    private ChurnWarning() {}

    /** Counts the instants of activity falling in each window. */
    public static Counts count(Iterable<Instant> activity, Settings settings, Instant now) {
        Instant recentStart = now.minus(Duration.ofDays(settings.windowDays()));
        Instant previousStart = recentStart.minus(Duration.ofDays(settings.windowDays()));
        long previous = 0;
        long recent = 0;
        for (Instant at : activity) {
            if (at.isBefore(now) && !at.isBefore(recentStart)) {
                recent++;
            } else if (at.isBefore(recentStart) && !at.isBefore(previousStart)) {
                previous++;
            }
        }
        return new Counts(previous, recent);
    }

    public static boolean atRisk(Counts counts, Settings settings) {
        return counts.previous() > 0 && counts.recent() <= settings.maxShare() * counts.previous();
    }
}
