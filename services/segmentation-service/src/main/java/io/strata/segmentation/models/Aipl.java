package io.strata.segmentation.models;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * AIPL, the consumer assets (Tmall's DataBank): a consumer sits in the highest of Awareness
 * (passive contact lately), Interest (active contact lately), Purchase (bought within the purchase
 * window) and Loyalty (bought on more than a number of days in a year, or advocated the brand)
 * they qualify for, or in none. Flows count the consumers moving between stages from one date to
 * another; FAST measures the assets' health.
 */
public final class Aipl {

    /** The stages, shallow to deep. */
    public enum Stage {
        A("awareness", "认知"),
        I("interest", "兴趣"),
        P("purchase", "购买"),
        L("loyalty", "忠诚");

        private final String code;
        private final String chinese;

        Stage(String code, String chinese) {
            this.code = code;
            this.chinese = chinese;
        }

        /** The tag value (the catalog's {@code aipl_stage}). */
        public String code() {
            return code;
        }

        public String chinese() {
            return chinese;
        }
    }

    /**
     * @param passive events of passive contact (an exposure, a one-off browse, a video watched)
     * @param active events of active contact (a follow, a sign-up, a favourite, an add-to-cart)
     * @param purchases events of a purchase
     * @param advocacy events that make a consumer loyal by themselves (a positive review, a share)
     */
    public record Settings(
            Set<String> passive,
            int awarenessDays,
            Set<String> active,
            int interestDays,
            Set<String> purchases,
            Period purchaseWindow,
            int loyalPurchaseDays,
            int loyalWindowDays,
            Set<String> advocacy,
            int advocacyDays) {

        /** The DataBank windows: 15 days, 15 days, 2.5 years, purchases on more than 2 days in a year. */
        public static final Settings DEFAULTS = new Settings(
                Set.of("Content Viewed", "Product Viewed", "page", "Ad Viewed", "Video Watched"),
                15,
                Set.of("Signed Up", "Product Added", "Product Added to Wishlist", "Coupon Claimed", "Followed"),
                15,
                Set.of("Order Completed"),
                Period.ofMonths(30),
                3,
                365,
                Set.of("Product Shared", "Product Reviewed"),
                365);

        public Settings {
            passive = Set.copyOf(passive);
            active = Set.copyOf(active);
            purchases = Set.copyOf(purchases);
            advocacy = Set.copyOf(advocacy);
            if (purchases.isEmpty()) {
                throw new IllegalArgumentException("aipl.purchases must name at least one event");
            }
            for (var d : Map.of(
                            "aipl.awareness_days", awarenessDays,
                            "aipl.interest_days", interestDays,
                            "aipl.loyal_purchase_days", loyalPurchaseDays,
                            "aipl.loyal_window_days", loyalWindowDays,
                            "aipl.advocacy_days", advocacyDays)
                    .entrySet()) {
                if (d.getValue() < 1) {
                    throw new IllegalArgumentException(d.getKey() + " must be at least 1, was " + d.getValue());
                }
            }
            if (purchaseWindow.toTotalMonths() < 1 || purchaseWindow.getDays() != 0) {
                throw new IllegalArgumentException(
                        "aipl.purchase_window_months must be at least 1, was " + purchaseWindow.toTotalMonths());
            }
        }
    }

    /** One event of a consumer: its name (or call type) and when. */
    public record Touch(String event, Instant at) {}

    /**
     * FAST: the assets' size (F), the share of them that moved to a deeper stage from the one they
     * held at the start (A), the members (S) and the share of them active (T).
     */
    public record Fast(long fertility, double advancing, long superiority, double thriving) {}

    private Aipl() {}

    /** The consumer's stage at {@code now}, from their events (none when they qualify for none). */
    public static Optional<Stage> stage(Iterable<Touch> touches, Settings settings, Instant now, ZoneId zone) {
        Instant awareness = now.minus(Duration.ofDays(settings.awarenessDays()));
        Instant interest = now.minus(Duration.ofDays(settings.interestDays()));
        Instant purchase = now.atZone(zone).minus(settings.purchaseWindow()).toInstant();
        Instant loyal = now.minus(Duration.ofDays(settings.loyalWindowDays()));
        Instant advocacy = now.minus(Duration.ofDays(settings.advocacyDays()));
        Stage best = null;
        Set<LocalDate> purchaseDays = new HashSet<>();
        for (Touch touch : touches) {
            Instant at = touch.at();
            if (at.isAfter(now)) {
                continue;
            }
            String event = touch.event();
            Stage stage = null;
            if (settings.advocacy().contains(event) && at.isAfter(advocacy)) {
                stage = Stage.L;
            } else if (settings.purchases().contains(event) && at.isAfter(purchase)) {
                stage = Stage.P;
                if (at.isAfter(loyal)) {
                    purchaseDays.add(LocalDate.ofInstant(at, zone));
                }
            } else if (settings.active().contains(event) && at.isAfter(interest)) {
                stage = Stage.I;
            } else if (settings.passive().contains(event) && at.isAfter(awareness)) {
                stage = Stage.A;
            }
            if (stage != null && (best == null || stage.compareTo(best) > 0)) {
                best = stage;
            }
        }
        if (purchaseDays.size() >= settings.loyalPurchaseDays()) {
            best = Stage.L;
        }
        return Optional.ofNullable(best);
    }

    /**
     * How many consumers went from each stage at the start to each stage at the end; the key
     * {@code null} stands for no stage (a consumer who entered the assets, or left them).
     */
    public static Map<Stage, Map<Stage, Long>> flows(Map<String, Stage> start, Map<String, Stage> end) {
        Map<Stage, Map<Stage, Long>> out = new java.util.HashMap<>();
        Set<String> everyone = new HashSet<>(start.keySet());
        everyone.addAll(end.keySet());
        for (String id : everyone) {
            Stage from = start.get(id);
            Stage to = end.get(id);
            if (from == null && to == null) {
                continue;
            }
            out.computeIfAbsent(from, s -> new java.util.HashMap<>()).merge(to, 1L, Long::sum);
        }
        return out;
    }

    /**
     * FAST over a period.
     *
     * @param start the stages at the period's start
     * @param end the stages at its end
     * @param members the members (deduplicated) at the end
     * @param activeMembers those of them active in the last 30 days (a cart, a favourite, a
     *     benefit claimed, a purchase)
     */
    public static Fast fast(Map<String, Stage> start, Map<String, Stage> end, long members, long activeMembers) {
        return fast(flows(start, end), members, activeMembers);
    }

    /** FAST over a period from its flows ({@link #flows}: {@code null} for no stage). */
    public static Fast fast(Map<Stage, Map<Stage, Long>> flows, long members, long activeMembers) {
        long fertility = 0;
        long advancing = 0;
        for (var row : flows.entrySet()) {
            for (var cell : row.getValue().entrySet()) {
                if (cell.getKey() == null) {
                    continue;
                }
                fertility += cell.getValue();
                // from a stage to a deeper one (entering the assets is growth, not advancing)
                if (row.getKey() != null && cell.getKey().compareTo(row.getKey()) > 0) {
                    advancing += cell.getValue();
                }
            }
        }
        return new Fast(
                fertility,
                fertility == 0 ? 0 : (double) advancing / fertility,
                members,
                members == 0 ? 0 : (double) activeMembers / members);
    }

    /** The stage a code names ({@code null} for "" or an unknown code: no stage). */
    public static Stage ofCode(String code) {
        for (Stage s : Stage.values()) {
            if (s.code().equals(code)) {
                return s;
            }
        }
        return null;
    }

    /** Counts per stage, every stage present. */
    public static Map<Stage, Long> distribution(Map<String, Stage> stages) {
        Map<Stage, Long> out = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            out.put(s, 0L);
        }
        stages.values().forEach(s -> out.merge(s, 1L, Long::sum));
        return out;
    }
}
