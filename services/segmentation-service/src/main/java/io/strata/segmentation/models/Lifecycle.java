package io.strata.segmentation.models;

import java.time.Duration;
import java.time.Instant;

/**
 * The lifecycle stage of a known profile: potential (never bought) → new → active → loyal →
 * at-risk (the churn warning) → churned → recalled (active again after churning). A stage depends
 * on the profile's purchases and activity now, and, for recalled, on the stage before: the model
 * keeps each profile's stage and the instant it was entered, and each change is a membership
 * change a journey can start from.
 */
public final class Lifecycle {

    /** The stages, in the order of the lifecycle. */
    public enum Stage {
        POTENTIAL("potential", "潜在"),
        NEW("new", "新客"),
        ACTIVE("active", "活跃"),
        LOYAL("loyal", "忠诚"),
        AT_RISK("at_risk", "流失预警"),
        CHURNED("churned", "流失"),
        RECALLED("recalled", "召回");

        private final String code;
        private final String chinese;

        Stage(String code, String chinese) {
            this.code = code;
            this.chinese = chinese;
        }

        /** The tag value (the catalog's {@code lifecycle_stage}). */
        public String code() {
            return code;
        }

        public String chinese() {
            return chinese;
        }

        /** The stage a tag value names. */
        public static java.util.Optional<Stage> ofCode(String code) {
            for (Stage s : values()) {
                if (s.code.equals(code)) {
                    return java.util.Optional.of(s);
                }
            }
            return java.util.Optional.empty();
        }
    }

    /**
     * @param newDays a first purchase at most this long ago makes a new customer
     * @param loyalPurchaseDays at least this many distinct purchase days ...
     * @param loyalWindowDays ... in this many days make a loyal one
     * @param churnedDays neither a purchase nor a visit for this long: churned
     * @param recalledDays a churned customer who comes back is recalled for this long
     */
    public record Settings(int newDays, int loyalPurchaseDays, int loyalWindowDays, int churnedDays, int recalledDays) {

        public static final Settings DEFAULTS = new Settings(30, 3, 365, 90, 30);

        public Settings {
            positive("lifecycle.new_days", newDays);
            positive("lifecycle.loyal_purchase_days", loyalPurchaseDays);
            positive("lifecycle.loyal_window_days", loyalWindowDays);
            positive("lifecycle.churned_days", churnedDays);
            positive("lifecycle.recalled_days", recalledDays);
            if (churnedDays <= newDays) {
                throw new IllegalArgumentException("lifecycle.churned_days must be longer than lifecycle.new_days ("
                        + newDays + "), was " + churnedDays);
            }
        }

        private static void positive(String field, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(field + " must be at least 1, was " + value);
            }
        }
    }

    /**
     * What the stage is decided by; instants null where there is none.
     *
     * @param lastActivity the last purchase or visit
     * @param purchaseDays distinct days with a purchase within the loyal window
     * @param churnWarning whether the churn warning holds now
     */
    public record Facts(Instant firstPurchase, Instant lastActivity, int purchaseDays, boolean churnWarning) {}

    /** A profile's stage and since when. */
    public record State(Stage stage, Instant since) {}

    private Lifecycle() {}

    /** The stage now, given the one before (null for a profile not staged yet). */
    public static State next(Facts facts, Settings settings, State before, Instant now) {
        Stage stage = stage(facts, settings, before, now);
        return before != null && before.stage() == stage ? before : new State(stage, now);
    }

    private static Stage stage(Facts facts, Settings settings, State before, Instant now) {
        if (facts.firstPurchase() == null) {
            return Stage.POTENTIAL;
        }
        if (facts.lastActivity() == null
                || !facts.lastActivity().isAfter(now.minus(Duration.ofDays(settings.churnedDays())))) {
            return Stage.CHURNED;
        }
        if (before != null
                && (before.stage() == Stage.CHURNED
                        || before.stage() == Stage.RECALLED
                                && before.since().isAfter(now.minus(Duration.ofDays(settings.recalledDays()))))) {
            return Stage.RECALLED;
        }
        if (facts.churnWarning()) {
            return Stage.AT_RISK;
        }
        if (facts.firstPurchase().isAfter(now.minus(Duration.ofDays(settings.newDays())))) {
            return Stage.NEW;
        }
        if (facts.purchaseDays() >= settings.loyalPurchaseDays()) {
            return Stage.LOYAL;
        }
        return Stage.ACTIVE;
    }
}
