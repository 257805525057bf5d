package io.strata.campaign.service;

import io.strata.campaign.domain.RecipientState;
import io.strata.campaign.domain.TenantPolicy;
import io.strata.campaign.journey.Journey;
import io.strata.campaign.journey.LocalTimes;
import io.strata.campaign.journey.Node;
import io.strata.campaign.repository.Db;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The date trigger's scan: journeys starting on a date attribute (a birthday, yearly; a first
 * purchase + 7 days, once) start a profile on the day its date plus the offset falls on, in the
 * profile's zone, once the local time of the trigger has come; the entry is at that local time.
 * Yesterday is looked at too, so a scan missed around midnight still starts the day's entries. The
 * entry key is the date ({@code date:2026-12-24}), so a day starts each profile once however often
 * the scan runs. A birthday on 29 February is greeted on 28 February in other years.
 */
public final class DateTriggers {

    private final Db db;
    private final JourneyRuntime runtime;
    private final JourneyCache journeys;
    private final PolicyCache policies;
    private final Clock clock;
    private final String defaultZone;

    public DateTriggers(
            Db db,
            JourneyRuntime runtime,
            JourneyCache journeys,
            PolicyCache policies,
            Clock clock,
            String defaultZone) {
        this.db = db;
        this.runtime = runtime;
        this.journeys = journeys;
        this.policies = policies;
        this.clock = clock;
        this.defaultZone = defaultZone;
    }

    /** One scan of every tenant's date-triggered journeys; returns how many instances it started. */
    public int scan() {
        var tenants = new ArrayList<String>();
        for (Row row : db.query(
                "select distinct tenant from journeys where status = 'published' order by tenant", Tuple.tuple())) {
            tenants.add(row.getString(0));
        }
        int started = 0;
        for (String tenant : tenants) {
            started += scan(tenant);
        }
        return started;
    }

    int scan(String tenant) {
        record Dated(Journey journey, Node.Entry.DateAttribute trigger) {}
        var dated = new ArrayList<Dated>();
        Instant now = db.inTransaction(s -> {
            for (Journey j : journeys.live(s, tenant)) {
                if (j.trigger().entry() instanceof Node.Entry.DateAttribute d) {
                    dated.add(new Dated(j, d));
                }
            }
            return io.strata.campaign.repository.RuntimeRepository.heldClock(s, tenant)
                    .orElse(clock.instant());
        });
        if (dated.isEmpty()) {
            return 0;
        }
        TenantPolicy policy = db.inTransaction(s -> policies.get(s, tenant));
        int started = 0;
        for (Dated d : dated) {
            // the dates whose day (plus the offset) is yesterday, today or tomorrow somewhere on Earth
            LocalDate utc = now.atZone(java.time.ZoneOffset.UTC).toLocalDate();
            var keys = new LinkedHashSet<String>();
            for (int k = -2; k <= 1; k++) {
                LocalDate day = utc.plusDays(k).minusDays(d.trigger().offsetDays());
                keys.add(d.trigger().yearly() ? day.format(DateTimeFormatter.ofPattern("MM-dd")) : day.toString());
                if (d.trigger().yearly() && day.getMonthValue() == 2 && day.getDayOfMonth() == 28) {
                    keys.add("02-29");
                }
            }
            String attribute = d.trigger().attribute();
            String expr = "substr(coalesce(traits ->> $2, tags ->> $2), "
                    + (d.trigger().yearly() ? "6, 5" : "1, 10") + ")";
            var starts = new ArrayList<Signal>();
            for (Row row : db.query(
                    "select profile_id, zone, traits, tags from recipients where tenant = $1 and not deleted and "
                            + expr + " = any($3)",
                    Tuple.of(tenant, attribute, keys.toArray(String[]::new)))) {
                var state = new RecipientState(
                        tenant,
                        row.getString("profile_id"),
                        Optional.ofNullable(row.getString("zone")),
                        false,
                        false,
                        List.of(),
                        strings(row.getJsonObject("traits")),
                        strings(row.getJsonObject("tags")),
                        java.util.Set.of(),
                        Map.of(),
                        Map.of(),
                        0);
                ZoneId zone =
                        LocalTimes.zone(state.zone(), Optional.of(policy.zone().orElse(defaultZone)));
                Optional<LocalDate> date = state.date(attribute);
                if (date.isEmpty()) {
                    continue;
                }
                LocalDate today = now.atZone(zone).toLocalDate();
                for (LocalDate day : List.of(today.minusDays(1), today)) {
                    if (!falls(date.get(), d.trigger(), day)) {
                        continue;
                    }
                    Instant at = day.atTime(d.trigger().at()).atZone(zone).toInstant();
                    if (!at.isAfter(now)) {
                        starts.add(
                                new Signal.Start(state.profileId(), d.journey().key(), "date:" + day, at));
                    }
                }
            }
            for (int from = 0; from < starts.size(); from += 500) {
                started += runtime.handle(tenant, starts.subList(from, Math.min(starts.size(), from + 500)))
                        .started();
            }
        }
        return started;
    }

    /** Whether the date plus the offset falls on {@code day} (yearly: its month and day, 29 February on 28 February). */
    static boolean falls(LocalDate date, Node.Entry.DateAttribute trigger, LocalDate day) {
        LocalDate shifted = day.minusDays(trigger.offsetDays());
        if (!trigger.yearly()) {
            return date.equals(shifted);
        }
        MonthDay md = MonthDay.from(date);
        if (md.equals(MonthDay.of(2, 29)) && !shifted.isLeapYear()) {
            md = MonthDay.of(2, 28);
        }
        return md.equals(MonthDay.from(shifted)) && !shifted.isBefore(date);
    }

    private static Map<String, String> strings(io.vertx.core.json.JsonObject json) {
        var out = new java.util.HashMap<String, String>();
        if (json != null) {
            json.forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return out;
    }
}
