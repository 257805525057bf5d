package io.strata.segmentation.models;

import io.strata.segmentation.engine.ProfileTable;
import io.strata.segmentation.rules.ProfileFacts;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the models read of each live profile of one tenant's table on a partition, at one instant
 * (the caller holds the table still: the engine's writer, or a reader of it):
 * windows from the events the engine keeps, lifetime facts from profile-service's aggregates
 * ({@code orders.first_order_at}, {@code orders.last_order_at}, {@code profile.last_seen}), so a
 * purchase older than the events kept still counts where a model looks that far.
 */
public final class ModelInputs {

    /**
     * One profile's inputs.
     *
     * @param rfm null when the profile bought nothing in the RFM window (it is not scored)
     * @param aipl its AIPL stage, if any
     */
    public record Profile(
            String id,
            Rfm.Input rfm,
            Lifecycle.Facts lifecycle,
            ChurnWarning.Counts churn,
            boolean atRisk,
            Optional<Aipl.Stage> aipl) {}

    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    private ModelInputs() {}

    /** Every live profile's inputs, in ordinal order. */
    public static List<Profile> of(ProfileTable table, ModelSettings settings, Instant now) {
        ZoneId zone = table.zone();
        Set<String> names = new LinkedHashSet<>();
        names.add(settings.purchaseEvent());
        names.addAll(settings.churn().activity());
        names.addAll(settings.aipl().passive());
        names.addAll(settings.aipl().active());
        names.addAll(settings.aipl().purchases());
        names.addAll(settings.aipl().advocacy());
        List<Profile> out = new ArrayList<>();
        table.live().forEach((int ordinal) -> {
            ProfileFacts facts = table.facts(ordinal);
            out.add(profile(table.profileId(ordinal), facts, names, settings, now, zone));
        });
        return out;
    }

    static Profile profile(
            String id, ProfileFacts facts, Set<String> names, ModelSettings settings, Instant now, ZoneId zone) {
        List<Aipl.Touch> touches = new ArrayList<>();
        for (String name : names) {
            for (ProfileFacts.EventFact e : facts.events(name)) {
                if (!e.at().isAfter(now)) {
                    touches.add(new Aipl.Touch(name, e.at()));
                }
            }
        }
        // RFM: purchases in the window
        Instant rfmFrom = now.minus(Duration.ofDays(settings.rfm().windowDays()));
        Instant lifecycleFrom = now.minus(Duration.ofDays(settings.lifecycle().loyalWindowDays()));
        int purchases = 0;
        double spend = 0;
        Instant lastInWindow = null;
        Instant firstKept = null;
        Instant lastPurchase = null;
        Set<LocalDate> purchaseDays = new HashSet<>();
        for (ProfileFacts.EventFact e : facts.events(settings.purchaseEvent())) {
            Instant at = e.at();
            if (at.isAfter(now)) {
                continue;
            }
            firstKept = firstKept == null || at.isBefore(firstKept) ? at : firstKept;
            lastPurchase = lastPurchase == null || at.isAfter(lastPurchase) ? at : lastPurchase;
            if (at.isAfter(rfmFrom)) {
                purchases++;
                if (e.properties().get(settings.revenueProperty()) instanceof Number amount) {
                    spend += Math.max(0, amount.doubleValue());
                }
                lastInWindow = lastInWindow == null || at.isAfter(lastInWindow) ? at : lastInWindow;
            }
            if (at.isAfter(lifecycleFrom)) {
                purchaseDays.add(LocalDate.ofInstant(at, zone));
            }
        }
        Rfm.Input rfm = purchases == 0
                ? null
                : new Rfm.Input(
                        id, (double) (now.toEpochMilli() - lastInWindow.toEpochMilli()) / DAY_MS, purchases, spend);

        // churn: activity in the two windows
        List<Instant> activity = new ArrayList<>();
        for (Aipl.Touch t : touches) {
            if (settings.churn().activity().contains(t.event())) {
                activity.add(t.at());
            }
        }
        ChurnWarning.Counts churn = ChurnWarning.count(activity, settings.churn(), now);
        boolean atRisk = ChurnWarning.atRisk(churn, settings.churn());

        // lifecycle: lifetime facts from the aggregates, else from the events kept
        // (an aggregate later than the run's instant is not seen: a run as of an earlier day)
        Instant firstOrder = earliest(seen(instant(facts.value("orders.first_order_at"), zone), now), firstKept);
        Instant lastOrder = latest(seen(instant(facts.value("orders.last_order_at"), zone), now), lastPurchase);
        Instant lastActivity = latest(lastOrder, seen(instant(facts.value("profile.last_seen"), zone), now));
        for (Instant at : activity) {
            lastActivity = latest(lastActivity, at);
        }
        Lifecycle.Facts lifecycle = new Lifecycle.Facts(firstOrder, lastActivity, purchaseDays.size(), atRisk);

        // AIPL: the last order counts for P even when older than the events kept
        if (lastOrder != null) {
            touches.add(new Aipl.Touch(settings.aipl().purchases().iterator().next(), lastOrder));
        }
        Optional<Aipl.Stage> aipl = Aipl.stage(touches, settings.aipl(), now, zone);
        return new Profile(id, rfm, lifecycle, churn, atRisk, aipl);
    }

    /** A date field's value as an instant (a calendar day: its start in the zone). */
    static Instant instant(Object value, ZoneId zone) {
        return switch (value) {
            case Instant i -> i;
            case LocalDate d -> d.atStartOfDay(zone).toInstant();
            case null, default -> null;
        };
    }

    private static Instant seen(Instant at, Instant now) {
        return at == null || at.isAfter(now) ? null : at;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }
}
