package io.strata.campaign.journey;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.Set;

/**
 * Times on a profile's clock. A local time that falls in a daylight-saving gap moves forward by the
 * gap (02:30 on a spring-forward night is 03:30); one that occurs twice takes the earlier, so a timer
 * fires once.
 */
public final class LocalTimes {

    public static final ZoneId FALLBACK = ZoneId.of("Asia/Shanghai");

    private LocalTimes() {}

    /** The profile's zone when it is a valid zone id, else the tenant's, else Asia/Shanghai. */
    public static ZoneId zone(Optional<String> profileZone, Optional<String> tenantZone) {
        for (var z : new Optional[] {profileZone, tenantZone}) {
            if (z.isPresent()) {
                try {
                    return ZoneId.of((String) z.get());
                } catch (DateTimeException e) {
                    // not a zone: fall back
                }
            }
        }
        return FALLBACK;
    }

    /** {@code from} plus calendar days (same local clock time) plus elapsed time. */
    public static Instant after(Instant from, Node.WaitFor.For wait, ZoneId zone) {
        return from.atZone(zone).plus(wait.days()).toInstant().plus(wait.time());
    }

    /** The first instant after {@code from} at which the local clock shows {@code at} on one of {@code days}. */
    public static Instant next(Instant from, LocalTime at, Set<DayOfWeek> days, ZoneId zone) {
        LocalDate day = from.atZone(zone).toLocalDate();
        for (int i = 0; i <= 8; i++) {
            LocalDate d = day.plusDays(i);
            if (days.contains(d.getDayOfWeek())) {
                Instant candidate = ZonedDateTime.of(d, at, zone).toInstant();
                if (candidate.isAfter(from)) {
                    return candidate;
                }
            }
        }
        throw new IllegalArgumentException("no day allowed");
    }

    /** A date plus an offset in days, at a local time. */
    public static Instant on(LocalDate date, int offsetDays, LocalTime at, ZoneId zone) {
        return ZonedDateTime.of(date.plusDays(offsetDays), at, zone).toInstant();
    }
}
