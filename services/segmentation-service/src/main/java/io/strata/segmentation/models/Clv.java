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
}
