package io.strata.segmentation.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The models on small examples worked out by hand, and a fit that finds planted parameters again. */
class ModelsTest {

    private static final LocalDate D = LocalDate.of(2026, 1, 1);

    @Test
    void purchasesOnOneDayAreOneTransactionAndTheFirstIsNoRepeat() {
        List<CustomerSummary> out = Summaries.of(
                List.of(
                        new Purchase("a", D, 10),
                        new Purchase("a", D.plusDays(7), 5),
                        new Purchase("a", D.plusDays(7), 15), // the same day: one transaction of 20
                        new Purchase("a", D.plusDays(21), 40),
                        new Purchase("a", D.plusDays(40), 99), // after the calibration
                        new Purchase("b", D.plusDays(14), 30),
                        new Purchase("c", D.plusDays(36), 1)), // first bought after it: not summarised
                D.plusDays(35),
                7);
        assertEquals(2, out.size());
        assertEquals(new CustomerSummary("a", 2, 3.0, 5.0, 30.0), out.get(0));
        assertEquals(new CustomerSummary("b", 0, 0.0, 3.0, 0.0), out.get(1));
    }

    @Test
    void aSummaryThatCannotBeIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new CustomerSummary("a", 1, 5, 4, 10));
        assertTrue(e.getMessage().contains("customer a"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CustomerSummary("a", 0, 1, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> new BgNbd.Params(0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Summaries.of(List.of(), D, 0));
    }

    @Test
    void theHypergeometricSeriesMeetsAClosedForm() {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z
        for (double z : new double[] {0, 0.1, 0.5, 0.9, 0.99}) {
            double expected = z == 0 ? 1 : -Math.log(1 - z) / z;
            assertEquals(expected, Hypergeometric.f21(1, 1, 2, z), 1e-9, "z " + z);
        }
        assertThrows(IllegalArgumentException.class, () -> Hypergeometric.f21(1, 1, 2, 1));
    }

    @Test
    void bgNbdExpectationsByHand() {
        BgNbd.Params ones = new BgNbd.Params(1, 1, 1, 1);
        // 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx))^(r + x)) = 1 / (1 + 1 * 2^2)
        assertEquals(0.2, BgNbd.probabilityAlive(ones, 1, 1, 3), 1e-12);
        assertEquals(1, BgNbd.probabilityAlive(ones, 0, 0, 3), 0);
        BgNbd.Params params = new BgNbd.Params(0.243, 4.414, 0.793, 2.426);
        assertEquals(0, BgNbd.expectedPurchases(params, 0, 2, 30.43, 38.86), 0);
        // a customer seen only at the start (x = 0, T = 0) expects what a new customer does
        for (double t : new double[] {1, 10, 39, 78}) {
            assertEquals(
                    BgNbd.expectedPurchasesNew(params, t), BgNbd.expectedPurchases(params, t, 0, 0, 0), 1e-9, "t " + t);
        }
        // the series as the paper writes it, where it is finite, equals the transformed one
        for (double[] c : new double[][] {{39, 2, 30.43, 38.86}, {10, 7, 20, 30}, {104, 30, 50, 52}}) {
            int x = (int) c[1];
            double z = c[0] / (params.alpha() + c[3] + c[0]);
            double direct = (params.a() + params.b() + x - 1)
                    / (params.a() - 1)
                    * (1
                            - Math.pow(1 - z, params.r() + x)
                                    * Hypergeometric.f21(
                                            params.r() + x, params.b() + x, params.a() + params.b() + x - 1, z))
                    / (1
                            + params.a()
                                    / (params.b() + x - 1)
                                    * Math.pow((params.alpha() + c[3]) / (params.alpha() + c[2]), params.r() + x));
            assertEquals(direct, BgNbd.expectedPurchases(params, c[0], x, c[2], c[3]), 1e-9 * Math.max(1, direct));
        }
        // a customer of 1,500 purchases, the last one now: finite, about the rate they kept
        double heavy = BgNbd.expectedPurchases(params, 104, 1500, 104, 104);
        assertTrue(Double.isFinite(heavy) && heavy > 1000 && heavy < 2000, "expected " + heavy);
        // more recent purchases, more expected ones
        assertTrue(
                BgNbd.expectedPurchases(params, 39, 2, 38, 38.86) > BgNbd.expectedPurchases(params, 39, 2, 10, 38.86));
    }

    @Test
    void gammaGammaSpendByHand() {
        GammaGamma.Params params = new GammaGamma.Params(2, 3, 10);
        // (p γ + p x m) / (p x + q - 1) = (20 + 80) / 6
        assertEquals(100.0 / 6, GammaGamma.expectedSpend(params, 2, 20), 1e-12);
        // the population's mean p γ / (q - 1) without repeat transactions
        assertEquals(10, GammaGamma.expectedSpend(params, 0, 0), 1e-12);
    }

    @Test
    void lifetimeValueAddsDiscountedPeriods() {
        BgNbd.Params purchases = new BgNbd.Params(0.243, 4.414, 0.793, 2.426);
        GammaGamma.Params spend = new GammaGamma.Params(6.25, 3.74, 15.44);
        CustomerSummary c = new CustomerSummary("1", 2, 30.43, 38.86, 22.35);
        double perPurchase = GammaGamma.expectedSpend(spend, 2, 22.35);
        double undiscounted = Clv.value(purchases, spend, c, 12, 4, 0);
        assertEquals(BgNbd.expectedPurchases(purchases, 48, 2, 30.43, 38.86) * perPurchase, undiscounted, 1e-9);
        double discounted = Clv.value(purchases, spend, c, 12, 4, 0.01);
        assertTrue(discounted < undiscounted && discounted > undiscounted / Math.pow(1.01, 12));
        assertThrows(IllegalArgumentException.class, () -> Clv.value(purchases, spend, c, 12, 0, 0));
    }

    @Test
    void valueTiersByShareAndByValue() {
        double[] values = {10, 90, 20, 80, 30, 70, 40, 60, 50, 100};
        // the top 20 % (2 of 10) high, the next 30 % (3) mid
        assertEquals(
                List.of("low", "high", "low", "mid", "low", "mid", "low", "mid", "low", "high"),
                java.util.Arrays.stream(Clv.tiers(values, Clv.Tiers.DEFAULTS))
                        .map(Clv.Tier::code)
                        .toList());
        // a value tied with the last high one is high too
        assertEquals(
                List.of(Clv.Tier.HIGH, Clv.Tier.HIGH, Clv.Tier.HIGH, Clv.Tier.LOW),
                List.of(Clv.tiers(new double[] {5, 5, 5, 1}, new Clv.Tiers(true, 25, 0))));
        assertEquals(
                List.of(Clv.Tier.LOW, Clv.Tier.MID, Clv.Tier.HIGH),
                List.of(Clv.tiers(new double[] {299.99, 300, 1000}, new Clv.Tiers(false, 1000, 300))));
        assertThrows(IllegalArgumentException.class, () -> new Clv.Tiers(false, 300, 1000));
    }

    @Test
    void aModelWithoutRepeatPurchasesCannotBeFitted() {
        List<CustomerSummary> once =
                List.of(new CustomerSummary("a", 0, 0, 5, 0), new CustomerSummary("b", 0, 0, 3, 0));
        var e = assertThrows(IllegalArgumentException.class, () -> BgNbd.fit(once));
        assertTrue(e.getMessage().startsWith("customers:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GammaGamma.fit(once));
        assertThrows(IllegalArgumentException.class, () -> BgNbd.fit(List.of()));
    }

    @Test
    void fitsFindPlantedParametersAgain() {
        BgNbd.Params planted = new BgNbd.Params(0.5, 6, 0.8, 2.5);
        GammaGamma.Params plantedSpend = new GammaGamma.Params(5, 4, 20);
        List<CustomerSummary> customers = Simulation.customers(planted, plantedSpend, 40_000, 52, 26, 7);
        BgNbd.Params found = BgNbd.fit(customers).params();
        // within a few standard errors of these sizes (relative errors of a few per cent)
        assertEquals(planted.r(), found.r(), 0.05 * planted.r(), "r " + found);
        assertEquals(planted.alpha(), found.alpha(), 0.08 * planted.alpha(), "alpha " + found);
        assertEquals(planted.a(), found.a(), 0.1 * planted.a(), "a " + found);
        assertEquals(planted.b(), found.b(), 0.1 * planted.b(), "b " + found);
        GammaGamma.Params spend = GammaGamma.fit(customers).params();
        // p γ / (q - 1), the mean spend, is what the data pins down best
        assertEquals(
                plantedSpend.p() * plantedSpend.gamma() / (plantedSpend.q() - 1),
                spend.p() * spend.gamma() / (spend.q() - 1),
                0.03 * 100 / 3.0,
                "mean spend of " + spend);
        assertEquals(plantedSpend.p(), spend.p(), 0.1 * plantedSpend.p(), "p " + spend);
    }
}
