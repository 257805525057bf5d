package io.strata.segmentation.crowds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.segmentation.crowds.Referrals.SignUp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReferralsTest {

    @Test
    void chainsDepthsAndTheViralCoefficientPerDepth() {
        // a brought b and c; b brought d; e sent invites nobody took; x and y name each other
        List<SignUp> signUps = List.of(
                new SignUp("a", null),
                new SignUp("b", "a"),
                new SignUp("c", "a"),
                new SignUp("d", "b"),
                new SignUp("d", "c"), // a second sign-up of d: the first referrer counts
                new SignUp("e", ""),
                new SignUp("x", "y"),
                new SignUp("y", "x"),
                new SignUp("z", "z"));
        Map<String, Long> invites = Referrals.count(List.of("a", "a", "a", "a", "b", "b", "e", "e"));
        Referrals.Spread spread = Referrals.spread(signUps, invites, Referrals::byDepth);
        assertEquals(Map.of("b", "a", "c", "a", "d", "b", "x", "y", "y", "x"), spread.referrerOf());
        assertEquals(Map.of("a", 0, "e", 0, "b", 1, "c", 1, "d", 2), spread.depth());
        assertEquals(List.of(2L, 2L, 1L), spread.byDepth());
        assertEquals(2, spread.maxDepth());
        assertEquals(2, spread.unrooted());
        Referrals.Cohort zero = spread.cohorts().stream()
                .filter(c -> c.cohort().equals("depth 0"))
                .findFirst()
                .orElseThrow();
        // a and e: 6 invites, 2 sign-ups: 3 invites per inviter × 1/3 converted = K 1
        assertEquals(2, zero.inviters());
        assertEquals(6, zero.invites());
        assertEquals(2, zero.converted());
        assertEquals(3.0, zero.invitesPerInviter(), 1e-12);
        assertEquals(1.0 / 3, zero.conversion(), 1e-12);
        assertEquals(1.0, zero.k(), 1e-12);
        assertEquals(zero.invitesPerInviter() * zero.conversion(), zero.k(), 1e-12);
        Referrals.Cohort one = spread.cohorts().stream()
                .filter(c -> c.cohort().equals("depth 1"))
                .findFirst()
                .orElseThrow();
        assertEquals(1, one.inviters());
        assertEquals(1.0, one.k(), 1e-12);
    }

    /** Advocates bring Poisson(2.75) sign-ups each: the interval of K covers 2.75. */
    @Test
    void theIntervalCoversThePlantedCoefficient() {
        SplittableRandom random = new SplittableRandom(8);
        List<SignUp> signUps = new ArrayList<>();
        List<String> inviters = new ArrayList<>();
        for (int a = 0; a < 600; a++) {
            String advocate = "core-" + a;
            signUps.add(new SignUp(advocate, null));
            double l = Math.exp(-2.75);
            int k = 0;
            double p = 1;
            do {
                k++;
                p *= random.nextDouble();
            } while (p > l);
            for (int i = 0; i < k - 1; i++) {
                signUps.add(new SignUp(advocate + "-" + i, advocate));
                inviters.add(advocate);
            }
            inviters.add(advocate); // one invite more, never taken
        }
        Referrals.Spread spread = Referrals.spread(signUps, Referrals.count(inviters), Referrals::byDepth);
        Referrals.Cohort core = spread.cohorts().get(0);
        assertEquals("depth 0", core.cohort());
        assertTrue(core.kLow() <= 2.75 && 2.75 <= core.kHigh(), core.toString());
        assertTrue(core.kHigh() - core.kLow() < 0.4, core.toString());
    }
}
