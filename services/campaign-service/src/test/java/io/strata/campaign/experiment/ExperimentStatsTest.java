package io.strata.campaign.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExperimentStatsTest {

    /**
     * Worked by hand. Control 100 of 1,000 (10 %), treatment 130 of 1,000 (13 %), difference 0.03.
     * Pooled p = 230 / 2,000 = 0.115; SE = √(0.115 · 0.885 · (1/1,000 + 1/1,000)) = 0.0142671;
     * z = 0.03 / 0.0142671 = 2.10274; two-sided p = 2 · (1 − Φ(2.10274)) = 0.035488.
     * Unpooled SE = √(0.1 · 0.9 / 1,000 + 0.13 · 0.87 / 1,000) = 0.0142513; 95 % interval
     * 0.03 ± 1.959964 · 0.0142513 = [0.002068, 0.057932]. Relative lift 0.03 / 0.1 = 30 %.
     * Sample size per arm for d = 0.03: 16 · 0.1 · 0.9 / 0.0009 = 1,600.
     */
    @Test
    void matchesTheHandComputedExample() {
        var result = ExperimentStats.analyze(
                List.of(new ArmCounts("control", true, 50, 1000, 100), new ArmCounts("coupon", false, 50, 1000, 130)),
                0.05);
        assertEquals("control", result.baseline());
        var coupon = result.arms().get(1);
        assertEquals(0.13, coupon.rate(), 1e-12);
        assertEquals(0.03, coupon.lift().orElseThrow(), 1e-12);
        assertEquals(0.30, coupon.relativeLift().orElseThrow(), 1e-9);
        assertEquals(2.10274, coupon.z().orElseThrow(), 1e-5);
        assertEquals(0.035488, coupon.p().orElseThrow(), 1e-6);
        assertEquals(coupon.p(), coupon.adjustedP(), "two arms: no correction");
        assertEquals(0.002068, coupon.ciLow().orElseThrow(), 1e-6);
        assertEquals(0.057932, coupon.ciHigh().orElseThrow(), 1e-6);
        assertEquals(1600L, coupon.perArmForThisLift().orElseThrow());
        assertEquals(ExperimentResult.Verdict.BETTER, coupon.verdict());
        assertEquals(ExperimentResult.Verdict.BASELINE, result.arms().get(0).verdict());
        assertEquals(0.0, result.sampleRatioChiSquare(), 1e-12);
        assertFalse(result.sampleRatioMismatch());
    }

    /**
     * Three arms: a second treatment at 115 of 1,000 has z = 0.015 / √(0.1075 · 0.8925 · 0.002) =
     * 1.08285, p = 0.278875. Holm over the two comparisons: the smaller p (0.035488) × 2 = 0.070977,
     * the larger max(0.070977, 0.278875 × 1) = 0.278875. Neither stays below 0.05.
     */
    @Test
    void holmCorrectsForSeveralArms() {
        var result = ExperimentStats.analyze(
                List.of(
                        new ArmCounts("coupon", false, 1, 1000, 130),
                        new ArmCounts("control", true, 1, 1000, 100),
                        new ArmCounts("content", false, 1, 1000, 115)),
                0.05);
        var coupon = result.arms().get(0);
        var content = result.arms().get(2);
        assertEquals(0.070977, coupon.adjustedP().orElseThrow(), 1e-6);
        assertEquals(0.278875, content.p().orElseThrow(), 1e-6);
        assertEquals(0.278875, content.adjustedP().orElseThrow(), 1e-6);
        assertEquals(ExperimentResult.Verdict.NO_SIGNIFICANT_DIFFERENCE, coupon.verdict());
        assertEquals(ExperimentResult.Verdict.NO_SIGNIFICANT_DIFFERENCE, content.verdict());
        assertArrayEquals(
                new double[] {0.03, 0.04, 0.04}, ExperimentStats.holm(new double[] {0.01, 0.02, 0.04}), 1e-12);
    }

    /**
     * Weights 45 / 45 / 10 and exposures 4,500 / 4,400 / 1,100 of 10,000: χ² = 0 + 100² / 4,500 +
     * 100² / 1,000 = 12.2222 on 2 degrees of freedom, p = e^(−χ²/2) = 0.002218 — not below 0.001. With
     * 4,500 / 4,350 / 1,150: χ² = 150² / 4,500 + 150² / 1,000 = 27.5, p = 1.07e−6: a mismatch.
     */
    @Test
    void checksTheSampleRatio() {
        var fine = ExperimentStats.analyze(
                List.of(
                        new ArmCounts("a", false, 45, 4500, 450),
                        new ArmCounts("b", false, 45, 4400, 440),
                        new ArmCounts("control", true, 10, 1100, 110)),
                0.05);
        assertEquals(12.2222, fine.sampleRatioChiSquare(), 1e-4);
        assertEquals(0.002218, fine.sampleRatioP(), 1e-6);
        assertFalse(fine.sampleRatioMismatch());
        var skewed = ExperimentStats.analyze(
                List.of(
                        new ArmCounts("a", false, 45, 4500, 450),
                        new ArmCounts("b", false, 45, 4350, 435),
                        new ArmCounts("control", true, 10, 1150, 115)),
                0.05);
        assertEquals(27.5, skewed.sampleRatioChiSquare(), 1e-9);
        assertEquals(1.07e-6, skewed.sampleRatioP(), 1e-8);
        assertTrue(skewed.sampleRatioMismatch());
    }

    @Test
    void givesNoVerdictBelowTheMinimums() {
        var fewExposures = ExperimentStats.analyze(
                List.of(new ArmCounts("control", true, 1, 49, 5), new ArmCounts("a", false, 1, 500, 200)), 0.05);
        assertEquals(
                ExperimentResult.Verdict.INSUFFICIENT_DATA,
                fewExposures.arms().get(1).verdict());
        assertTrue(fewExposures.arms().get(1).p().orElseThrow() < 0.05, "significant, yet too small to call");
        var fewConversions = ExperimentStats.analyze(
                List.of(new ArmCounts("control", true, 1, 500, 50), new ArmCounts("a", false, 1, 500, 4)), 0.05);
        assertEquals(
                ExperimentResult.Verdict.INSUFFICIENT_DATA,
                fewConversions.arms().get(1).verdict());
        var empty = ExperimentStats.analyze(
                List.of(new ArmCounts("control", true, 1, 0, 0), new ArmCounts("a", false, 1, 0, 0)), 0.05);
        assertTrue(empty.arms().get(1).z().isEmpty());
        assertEquals(
                ExperimentResult.Verdict.INSUFFICIENT_DATA, empty.arms().get(1).verdict());
        assertThrows(IllegalArgumentException.class, () -> new ArmCounts("x", false, 1, 5, 6));
        assertThrows(IllegalArgumentException.class, () -> ExperimentStats.analyze(List.of(), 0.05));
    }
}
