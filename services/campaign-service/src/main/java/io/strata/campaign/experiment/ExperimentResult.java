package io.strata.campaign.experiment;

import java.util.List;
import java.util.Optional;

/**
 * An experiment's read-out: per arm, its rate and (against the control) the lift with its interval,
 * the test's z and p (Holm-adjusted when several arms are compared) and a verdict; plus the
 * sample-ratio check of the arms' sizes against their weights.
 */
public record ExperimentResult(
        String baseline,
        List<Arm> arms,
        double sampleRatioChiSquare,
        double sampleRatioP,
        boolean sampleRatioMismatch) {

    public enum Verdict {
        /** The arm compared against. */
        BASELINE,
        /** Below 50 exposures or 5 conversions in this arm or the baseline: no verdict. */
        INSUFFICIENT_DATA,
        BETTER,
        WORSE,
        NO_SIGNIFICANT_DIFFERENCE
    }

    /**
     * {@code lift} is the difference of rates (arm − baseline), {@code relativeLift} that over the
     * baseline's rate; {@code ciLow}/{@code ciHigh} the 95 % interval of the difference (unpooled
     * SE); {@code z}/{@code p} the two-sided test with the pooled SE; {@code adjustedP} Holm's over
     * the comparisons; {@code perArmForThisLift} ≈ 16·p(1−p)/d² exposures per arm to detect a
     * difference this large.
     */
    public record Arm(
            String name,
            boolean control,
            long exposures,
            long conversions,
            double rate,
            Optional<Double> lift,
            Optional<Double> relativeLift,
            Optional<Double> ciLow,
            Optional<Double> ciHigh,
            Optional<Double> z,
            Optional<Double> p,
            Optional<Double> adjustedP,
            Optional<Long> perArmForThisLift,
            Verdict verdict) {}
}
