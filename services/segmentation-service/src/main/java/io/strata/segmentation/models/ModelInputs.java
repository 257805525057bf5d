package io.strata.segmentation.models;

import io.strata.segmentation.engine.ProfileTable;
import io.strata.segmentation.mapping.FeedApplier;
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
     * @param clv its purchases as BG/NBD and Gamma-Gamma read them (null: it never bought, or they
     *     cannot be told as of the run's instant)
     * @param lifecycleBefore its stage as the last run tagged it (null: none)
     */
    public record Profile(
            String id,
            Rfm.Input rfm,
            Lifecycle.Facts lifecycle,
            ChurnWarning.Counts churn,
            boolean atRisk,
            Optional<Aipl.Stage> aipl,
            CustomerSummary clv,
            Lifecycle.State lifecycleBefore) {

        public Profile(
                String id,
                Rfm.Input rfm,
                Lifecycle.Facts lifecycle,
                ChurnWarning.Counts churn,
                boolean atRisk,
                Optional<Aipl.Stage> aipl) {
            this(id, rfm, lifecycle, churn, atRisk, aipl, null, null);
        }
    }

    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    /** Members, for FAST's Superiority: profiles with this trait (the member id of the identify calls). */
    public static final String MEMBER_TRAIT = "traits.memberId";

    /**
     * What makes a member active for FAST's Thriving, within 30 days: a cart, a favourite, a benefit
     * claimed, and the settings' purchase.
     */
    public static final Set<String> THRIVING = Set.of("Product Added", "Product Added to Wishlist", "Coupon Claimed");

    private static final Duration THRIVING_WINDOW = Duration.ofDays(30);

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
        // R in whole days since the last purchase
        Rfm.Input rfm = purchases == 0
                ? null
                : new Rfm.Input(id, (now.toEpochMilli() - lastInWindow.toEpochMilli()) / DAY_MS, purchases, spend);

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
        CustomerSummary clv = clv(id, facts, settings, now, zone, firstOrder, lastOrder);
        Lifecycle.State before = facts.value("tags.lifecycle_stage") instanceof String code
                ? Lifecycle.Stage.ofCode(code)
                        .map(stage -> new Lifecycle.State(stage, since(facts, zone)))
                        .orElse(null)
                : null;
        return new Profile(id, rfm, lifecycle, churn, atRisk, aipl, clv, before);
    }

    /**
     * The profile's purchases as the CLV models read them, as {@link Summaries} makes them of a
     * file: purchase days, the first one the trial, times in the settings' unit up to the run's day.
     * From the events kept when they hold every purchase (the first order's day is among them);
     * else from the aggregates (distinct purchase days, revenue per purchase day as the mean spend),
     * which only serve when no purchase came after the run's instant.
     */
    static CustomerSummary clv(
            String id,
            ProfileFacts facts,
            ModelSettings settings,
            Instant now,
            ZoneId zone,
            Instant firstOrder,
            Instant lastOrder) {
        if (firstOrder == null) {
            return null;
        }
        double unit = settings.clv().timeUnitDays();
        LocalDate end = LocalDate.ofInstant(now, zone);
        LocalDate first = LocalDate.ofInstant(firstOrder, zone);
        java.util.TreeMap<LocalDate, Double> days = new java.util.TreeMap<>();
        for (ProfileFacts.EventFact e : facts.events(settings.purchaseEvent())) {
            if (!e.at().isAfter(now)) {
                double amount = e.properties().get(settings.revenueProperty()) instanceof Number n
                        ? Math.max(0, n.doubleValue())
                        : 0;
                days.merge(LocalDate.ofInstant(e.at(), zone), amount, Double::sum);
            }
        }
        if (!days.isEmpty() && !days.firstKey().isAfter(first)) {
            LocalDate from = days.firstKey();
            int x = days.size() - 1;
            double repeat = 0;
            for (double amount : days.tailMap(from, false).values()) {
                repeat += amount;
            }
            return new CustomerSummary(
                    id,
                    x,
                    java.time.temporal.ChronoUnit.DAYS.between(from, days.lastKey()) / unit,
                    java.time.temporal.ChronoUnit.DAYS.between(from, end) / unit,
                    x == 0 ? 0 : repeat / x);
        }
        // the aggregates count every purchase: of no use when one came after the run's instant
        Instant aggregated = instant(facts.value("orders.last_order_at"), zone);
        if (!(facts.value("orders.purchase_days") instanceof Number n)
                || n.intValue() < 1
                || aggregated == null
                || aggregated.isAfter(now)) {
            return null;
        }
        int x = n.intValue() - 1;
        double revenue = facts.value("orders.revenue") instanceof Number r ? Math.max(0, r.doubleValue()) : 0;
        LocalDate last = LocalDate.ofInstant(lastOrder, zone);
        if (last.isBefore(first) || x == 0 && !last.equals(first)) {
            return null;
        }
        return new CustomerSummary(
                id,
                x,
                java.time.temporal.ChronoUnit.DAYS.between(first, last) / unit,
                java.time.temporal.ChronoUnit.DAYS.between(first, end) / unit,
                x == 0 ? 0 : revenue / n.intValue());
    }

    /** Whether a member was active in the 30 days up to {@code to}. */
    public static boolean thriving(ProfileFacts facts, ModelSettings settings, Instant to) {
        Instant from = to.minus(THRIVING_WINDOW);
        Set<String> names = new LinkedHashSet<>(THRIVING);
        names.add(settings.purchaseEvent());
        for (String name : names) {
            for (ProfileFacts.EventFact e : facts.events(name)) {
                if (e.at().isAfter(from) && !e.at().isAfter(to)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Since when the profile holds its tagged lifecycle stage (not known: long ago). */
    private static Instant since(ProfileFacts facts, ZoneId zone) {
        Instant at = instant(facts.value(FeedApplier.LIFECYCLE_SINCE), zone);
        return at == null ? Instant.EPOCH : at;
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
