package io.strata.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

class ClvModelTest {

    @Test
    void hypergeometricSeriesMatchesClosedForms() {
        for (double z : new double[] {0, 0.1, 0.5, 0.9, 0.99}) {
            double log = z == 0 ? 1 : -Math.log(1 - z) / z; // 2F1(1, 1; 2; z)
            assertEquals(log, ClvModel.hyp2f1(1, 1, 2, z), 1e-9 * log);
            assertEquals(Math.pow(1 - z, -0.7), ClvModel.hyp2f1(0.7, 2.5, 2.5, z), 1e-9); // 2F1(a, b; b; z)
        }
    }

    @Test
    void expectedRepeatsOfTheCdnowModelGrowWithTime() {
        // the domain guide's CDNOW parameters; E[X(t)] starts at 0, grows, slows down
        ClvModel.BgNbd cdnow = new ClvModel.BgNbd(0.243, 4.414, 0.793, 2.426);
        assertEquals(0, cdnow.expectedRepeats(0), 1e-12);
        double prev = 0;
        double step = Double.MAX_VALUE;
        for (int t = 13; t <= 78; t += 13) {
            double e = cdnow.expectedRepeats(t);
            assertTrue(e > prev, "E[X(" + t + ")] = " + e);
            assertTrue(e - prev < step, "each quarter adds less than the one before");
            step = e - prev;
            prev = e;
        }
    }

    @Test
    void theSimulatedPurchaseProcessHasTheBgNbdExpectation() {
        // the same draws the generator makes for a buyer, many times over
        double t = 30;
        int n = 200_000;
        double sum = 0;
        double sumSq = 0;
        UniformRandomProvider rng = Rngs.of(1, 2, 3);
        for (int i = 0; i < n; i++) {
            ClvModel.Buyer buyer = ClvModel.Buyer.draw(rng);
            int repeats = 0;
            double at = 0;
            while (true) {
                at += buyer.nextGap(rng);
                if (at >= t) {
                    break;
                }
                repeats++;
                if (buyer.dropsOut(rng)) {
                    break;
                }
            }
            sum += repeats;
            sumSq += repeats * repeats;
        }
        double mean = sum / n;
        double se = Math.sqrt((sumSq / n - mean * mean) / n);
        double expected = ClvModel.BG_NBD.expectedRepeats(t);
        assertEquals(expected, mean, 4 * se);
    }

    @Test
    void gammaGammaMeanSpend() {
        assertEquals(6.25 * 15.44 / 2.74, new ClvModel.GammaGamma(6.25, 3.74, 15.44).meanSpend(), 1e-9);
        UniformRandomProvider rng = Rngs.of(4, 5, 6);
        int n = 200_000;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += ClvModel.Buyer.draw(rng).spend(rng);
        }
        assertEquals(ClvModel.GAMMA_GAMMA.meanSpend(), sum / n, 0.02 * ClvModel.GAMMA_GAMMA.meanSpend());
    }
}
