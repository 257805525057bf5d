package io.strata.segmentation.models;

/**
 * A customer's purchases as the BG/NBD and Gamma-Gamma models read them, in one time unit (a week,
 * by default): purchases on one day are one transaction, the first one is not a repeat.
 *
 * @param x the repeat transactions (purchase days after the first) up to the end of the calibration
 * @param tx the time from the first purchase to the last one
 * @param T the time from the first purchase to the end of the calibration
 * @param monetary the mean value of the repeat transactions (0 without any)
 */
public record CustomerSummary(String id, int x, double tx, double T, double monetary) {

    public CustomerSummary {
        if (x < 0 || tx < 0 || T < tx || (x == 0 && tx != 0)) {
            throw new IllegalArgumentException(
                    "customer " + id + ": x " + x + ", tx " + tx + " and T " + T + " do not fit together");
        }
    }
}
