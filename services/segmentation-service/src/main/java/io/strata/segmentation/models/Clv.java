package io.strata.segmentation.models;

/**
 * Customer lifetime value from the two models: the purchases BG/NBD expects in each period of the
 * horizon, times the spend Gamma-Gamma expects per purchase, each period discounted to today.
 */
public final class Clv {

    private Clv() {}

    /**
     * @param periods the horizon in periods (e.g. 12 months)
     * @param periodLength a period in the models' time unit (e.g. 30/7 weeks for a month)
     * @param discountRate per period (0: not discounted)
     */
    public static double value(
            BgNbd.Params purchases,
            GammaGamma.Params spend,
            CustomerSummary customer,
            int periods,
            double periodLength,
            double discountRate) {
        if (periods < 0 || !(periodLength > 0) || !(discountRate >= 0)) {
            throw new IllegalArgumentException("periods, periodLength and discountRate must be positive: " + periods
                    + ", " + periodLength + ", " + discountRate);
        }
        double perPurchase = GammaGamma.expectedSpend(spend, customer.x(), customer.monetary());
        double value = 0;
        double before = 0;
        for (int i = 1; i <= periods; i++) {
            double upTo =
                    BgNbd.expectedPurchases(purchases, i * periodLength, customer.x(), customer.tx(), customer.T());
            value += (upTo - before) * perPurchase / Math.pow(1 + discountRate, i);
            before = upTo;
        }
        return value;
    }

    /** A customer's value tier. */
    public enum Tier {
        HIGH("high", "高价值"),
        MID("mid", "中价值"),
        LOW("low", "低价值");

        private final String code;
        private final String chinese;

        Tier(String code, String chinese) {
            this.code = code;
            this.chinese = chinese;
        }

        /** The tag value (the catalog's {@code clv_tier}). */
        public String code() {
            return code;
        }

        public String chinese() {
            return chinese;
        }
    }

    /**
     * Where the tiers are cut: by share of customers (the top {@code high} % high, the next
     * {@code mid} % mid) or by value (at least {@code high} high, at least {@code mid} mid).
     */
    public record Tiers(boolean byPercent, double high, double mid) {

        /** The top 20 % high, the next 30 % mid, the rest low. */
        public static final Tiers DEFAULTS = new Tiers(true, 20, 30);

        public Tiers {
            if (byPercent && !(high > 0 && mid >= 0 && high + mid <= 100)) {
                throw new IllegalArgumentException(
                        "clv.tiers: high and mid are shares with high > 0 and high + mid ≤ 100, were " + high + " and "
                                + mid);
            }
            if (!byPercent && !(high > mid && mid >= 0)) {
                throw new IllegalArgumentException(
                        "clv.tiers: the high cut must be above the mid one, were " + high + " and " + mid);
            }
        }
    }

    /**
     * Each customer's tier among these values. By share, a customer tied with the last one of a tier
     * joins it (equal values, equal tiers).
     */
    public static Tier[] tiers(double[] values, Tiers tiers) {
        Cuts cuts = cuts(values, tiers);
        Tier[] out = new Tier[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = cuts.tier(values[i]);
        }
        return out;
    }

    /** The least value of the high tier and of the mid one. */
    public record Cuts(double high, double mid) {
        public Tier tier(double value) {
            return value >= high ? Tier.HIGH : value >= mid ? Tier.MID : Tier.LOW;
        }
    }

    /** Where the tiers are cut among these values (by share: the values of the last in each tier). */
    public static Cuts cuts(double[] values, Tiers tiers) {
        if (!tiers.byPercent()) {
            return new Cuts(tiers.high(), tiers.mid());
        }
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        int highCount = Rfm.ofShare(tiers.high(), n);
        int midCount = Rfm.ofShare(tiers.high() + tiers.mid(), n);
        return new Cuts(
                highCount == 0 ? Double.POSITIVE_INFINITY : sorted[n - highCount],
                midCount == 0 ? Double.POSITIVE_INFINITY : sorted[n - midCount]);
    }
}
