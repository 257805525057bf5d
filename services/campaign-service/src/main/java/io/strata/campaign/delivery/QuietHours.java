package io.strata.campaign.delivery;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Set;

/**
 * Local hours in which no marketing message is sent, possibly across midnight ({@code 21:00–08:00}),
 * plus whole do-not-disturb days (holidays), all read on the recipient's clock.
 */
public record QuietHours(LocalTime start, LocalTime end, Set<LocalDate> doNotDisturb) {

    public QuietHours {
        doNotDisturb = Set.copyOf(doNotDisturb);
    }

    /** No quiet hours and no do-not-disturb days. */
    public static final QuietHours NONE = new QuietHours(LocalTime.MIDNIGHT, LocalTime.MIDNIGHT, Set.of());

    /** China's SMS marketing window: 08:00 to 21:00 local. */
    public static QuietHours chinaSms() {
        return new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0), Set.of());
    }

    public boolean quiet(LocalTime t) {
        if (start.equals(end)) {
            return false;
        }
        return start.isBefore(end) ? !t.isBefore(start) && t.isBefore(end) : !t.isBefore(start) || t.isBefore(end);
    }

    public boolean allowed(Instant at, ZoneId zone) {
        var local = at.atZone(zone);
        return !doNotDisturb.contains(local.toLocalDate()) && !quiet(local.toLocalTime());
    }

    /**
     * The first instant at or after {@code at} outside the quiet hours and do-not-disturb days on the
     * recipient's clock. A quiet end that falls in a daylight-saving gap moves forward with the clock.
     */
    public Instant nextAllowed(Instant at, ZoneId zone) {
        ZonedDateTime t = at.atZone(zone);
        for (int guard = 0; guard < 800; guard++) {
            LocalDate day = t.toLocalDate();
            if (doNotDisturb.contains(day)) {
                t = day.plusDays(1).atStartOfDay(zone);
                continue;
            }
            LocalTime time = t.toLocalTime();
            if (!quiet(time)) {
                return t.toInstant();
            }
            // quiet: the end is today when before it, else tomorrow (the evening part of an overnight window)
            LocalDate endDay = time.isBefore(end) ? day : day.plusDays(1);
            t = ZonedDateTime.of(endDay, end, zone);
        }
        throw new IllegalStateException("no allowed time within 800 days of " + at + " in " + zone);
    }
}
