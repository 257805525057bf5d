package io.strata.campaign.delivery;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.Optional;

/**
 * A frequency cap: at most {@code limit} marketing messages to a person in a window, over every
 * channel, one channel or the messages carrying one tag.
 */
public record Cap(String name, Scope scope, String value, int limit, Window window) {

    public enum Scope {
        GLOBAL,
        CHANNEL,
        TAG
    }

    public sealed interface Window {
        /** The window's start for a check at {@code at}; sends at or after it count. */
        Instant start(Instant at, ZoneId zone);

        /** The last {@code length}, sliding. */
        record Rolling(Duration length) implements Window {
            public Instant start(Instant at, ZoneId zone) {
                return at.minus(length).plusNanos(1);
            }
        }

        /** The current local day, week (from Monday) or month on the recipient's clock. */
        record Calendar(Unit unit) implements Window {
            public Instant start(Instant at, ZoneId zone) {
                ZonedDateTime day = at.atZone(zone).toLocalDate().atStartOfDay(zone);
                return switch (unit) {
                    case DAY -> day.toInstant();
                    case WEEK ->
                        day.toLocalDate()
                                .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                                .atStartOfDay(zone)
                                .toInstant();
                    case MONTH ->
                        day.toLocalDate().withDayOfMonth(1).atStartOfDay(zone).toInstant();
                };
            }

            Instant nextStart(Instant at, ZoneId zone) {
                var start = start(at, zone).atZone(zone).toLocalDate();
                var next = switch (unit) {
                    case DAY -> start.plusDays(1);
                    case WEEK -> start.plusWeeks(1);
                    case MONTH -> start.plusMonths(1);
                };
                return next.atStartOfDay(zone).toInstant();
            }
        }

        enum Unit {
            DAY,
            WEEK,
            MONTH
        }
    }

    public boolean applies(String channel, java.util.Set<String> tags) {
        return switch (scope) {
            case GLOBAL -> true;
            case CHANNEL -> value.equals(channel);
            case TAG -> tags.contains(value);
        };
    }

    /**
     * Whether one more send at {@code at} stays within the cap, given the person's earlier marketing
     * sends this cap counts (oldest first); if not, when a slot frees.
     */
    Optional<Instant> blockedUntil(Instant at, ZoneId zone, java.util.List<Instant> counted) {
        Instant start = window.start(at, zone);
        var inWindow = counted.stream()
                .filter(t -> !t.isBefore(start) && !t.isAfter(at))
                .sorted()
                .toList();
        if (inWindow.size() < limit) {
            return Optional.empty();
        }
        return Optional.of(
                switch (window) {
                    case Window.Rolling r ->
                        inWindow.get(inWindow.size() - limit).plus(r.length());
                    case Window.Calendar c -> c.nextStart(at, zone);
                });
    }
}
