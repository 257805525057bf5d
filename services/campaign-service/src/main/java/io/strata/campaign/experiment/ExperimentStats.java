package io.strata.campaign.experiment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.hipparchus.distribution.continuous.ChiSquaredDistribution;
import org.hipparchus.distribution.continuous.NormalDistribution;

/**
 * Experiment statistics as DOMAIN.md sets them: each arm against the control (else the first arm),
 * a two-proportion z-test with the pooled standard error and a 95 % interval of the difference with
 * the unpooled one, Holm's correction when more than two arms are compared, a chi-square check that
 * the arms' sizes match the split's weights, and no verdict below 50 exposures or 5 conversions in
 * an arm (or the control).
 */
public final class ExperimentStats {

    public static final long MIN_EXPOSURES = 50;
    public static final long MIN_CONVERSIONS = 5;
    /** Sample-ratio mismatch is flagged below this p (the usual, conservative threshold). */
    public static final double SRM_ALPHA = 0.001;

    private static final NormalDistribution NORMAL = new NormalDistribution();
    private static final double Z_975 = NORMAL.inverseCumulativeProbability(0.975);

    private ExperimentStats() {}

    public static ExperimentResult analyze(List<ArmCounts> arms, double alpha) {
        if (arms.size() < 2) {
            throw new IllegalArgumentException("an experiment has at least two arms, not " + arms.size());
        }
        if (!(alpha > 0 && alpha < 1)) { // NaN too
            throw new IllegalArgumentException("alpha must lie in (0, 1), not " + alpha);
        }
        ArmCounts base = arms.stream().filter(ArmCounts::control).findFirst().orElse(arms.get(0));
        var compared = arms.stream().filter(a -> a != base).toList();

        double[] z = new double[compared.size()];
        double[] p = new double[compared.size()];
        for (int i = 0; i < compared.size(); i++) {
            ArmCounts a = compared.get(i);
            z[i] = zPooled(a, base);
            p[i] = Double.isNaN(z[i]) ? 1.0 : 2 * (1 - NORMAL.cumulativeProbability(Math.abs(z[i])));
        }
        double[] adjusted = compared.size() > 1 ? holm(p) : p.clone();

        boolean baseEnough = enough(base);
        var out = new ArrayList<ExperimentResult.Arm>();
        for (ArmCounts a : arms) {
            if (a == base) {
                out.add(new ExperimentResult.Arm(
                        a.name(),
                        a.control(),
                        a.exposures(),
                        a.conversions(),
                        a.rate(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        ExperimentResult.Verdict.BASELINE));
                continue;
            }
            int i = compared.indexOf(a);
            double diff = a.rate() - base.rate();
            double se = Math.sqrt(variance(a) + variance(base));
            boolean defined = a.exposures() > 0 && base.exposures() > 0;
            ExperimentResult.Verdict verdict;
            if (!baseEnough || !enough(a)) {
                verdict = ExperimentResult.Verdict.INSUFFICIENT_DATA;
            } else if (adjusted[i] < alpha) {
                verdict = diff > 0 ? ExperimentResult.Verdict.BETTER : ExperimentResult.Verdict.WORSE;
            } else {
                verdict = ExperimentResult.Verdict.NO_SIGNIFICANT_DIFFERENCE;
            }
            double pBase = base.rate();
            Optional<Long> needed = diff != 0 && defined
                    ? Optional.of(
                            (long) Math.ceil(16 * pBase * (1 - pBase) / (diff * diff) - 1e-9)) // not 1,601 by rounding
                    : Optional.empty();
            out.add(new ExperimentResult.Arm(
                    a.name(),
                    a.control(),
                    a.exposures(),
                    a.conversions(),
                    a.rate(),
                    defined ? Optional.of(diff) : Optional.empty(),
                    defined && pBase > 0 ? Optional.of(diff / pBase) : Optional.empty(),
                    defined ? Optional.of(diff - Z_975 * se) : Optional.empty(),
                    defined ? Optional.of(diff + Z_975 * se) : Optional.empty(),
                    Double.isNaN(z[i]) ? Optional.empty() : Optional.of(z[i]),
                    Double.isNaN(z[i]) ? Optional.empty() : Optional.of(p[i]),
                    Double.isNaN(z[i]) ? Optional.empty() : Optional.of(adjusted[i]),
                    needed,
                    verdict));
        }
        double chi = sampleRatioChiSquare(arms);
        double srmP =
                Double.isNaN(chi) ? 1.0 : 1 - new ChiSquaredDistribution(arms.size() - 1).cumulativeProbability(chi);
        return new ExperimentResult(base.name(), List.copyOf(out), Double.isNaN(chi) ? 0 : chi, srmP, srmP < SRM_ALPHA);
    }

    static boolean enough(ArmCounts a) {
        return a.exposures() >= MIN_EXPOSURES && a.conversions() >= MIN_CONVERSIONS;
    }

    /** z of (a − b) with the pooled proportion's standard error; NaN when undefined. */
    static double zPooled(ArmCounts a, ArmCounts b) {
        if (a.exposures() == 0 || b.exposures() == 0) {
            return Double.NaN;
        }
        double pooled = (double) (a.conversions() + b.conversions()) / (a.exposures() + b.exposures());
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / a.exposures() + 1.0 / b.exposures()));
        return se == 0 ? Double.NaN : (a.rate() - b.rate()) / se;
    }

    private static double variance(ArmCounts a) {
        return a.exposures() == 0 ? 0 : a.rate() * (1 - a.rate()) / a.exposures();
    }

    /** Holm's step-down adjusted p-values, in the input's order. */
    static double[] holm(double[] p) {
        int m = p.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        double[] adjusted = new double[m];
        double running = 0;
        for (int rank = 0; rank < m; rank++) {
            int i = order[rank];
            running = Math.max(running, Math.min(1, (m - rank) * p[i]));
            adjusted[i] = running;
        }
        return adjusted;
    }

    /** Pearson's chi-square of the arms' exposures against the split's weights; NaN with no exposures. */
    static double sampleRatioChiSquare(List<ArmCounts> arms) {
        long total = arms.stream().mapToLong(ArmCounts::exposures).sum();
        int weights = arms.stream().mapToInt(ArmCounts::weight).sum();
        if (total == 0 || weights <= 0) {
            return Double.NaN;
        }
        double chi = 0;
        for (ArmCounts a : arms) {
            double expected = (double) total * a.weight() / weights;
            chi += (a.exposures() - expected) * (a.exposures() - expected) / expected;
        }
        return chi;
    }
}
