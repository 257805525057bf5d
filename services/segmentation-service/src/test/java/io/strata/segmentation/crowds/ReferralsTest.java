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
        Referrals.Chains chains = Referrals.chains(signUps, invites);
        assertEquals(Map.of("b", "a", "c", "a", "d", "b", "x", "y", "y", "x"), chains.referrerOf());
        assertEquals(Map.of("a", 0, "e", 0, "b", 1, "c", 1, "d", 2), chains.depth());
        assertEquals(List.of(2L, 2L, 1L), chains.byDepth());
        assertEquals(2, chains.maxDepth());
        assertEquals(2, chains.unrooted());
        // a and e: 6 invites, 2 sign-ups: 3 invites per user × 1/3 converted = K 1
        Referrals.Cohort zero = chains.cohort("depth 0", chains.atDepth(0));
        assertEquals(2, zero.users());
        assertEquals(2, zero.inviters());
        assertEquals(6, zero.invites());
        assertEquals(2, zero.converted());
        assertEquals(3.0, zero.invitesPerUser(), 1e-12);
        assertEquals(1.0 / 3, zero.conversion(), 1e-12);
        assertEquals(1.0, zero.k(), 1e-12);
        assertEquals(zero.invitesPerUser() * zero.conversion(), zero.k(), 1e-12);
        // b brought d, c brought nobody and sent nothing: c counts, K = 1 / 2
        Referrals.Cohort one = chains.cohort("depth 1", chains.atDepth(1));
        assertEquals(2, one.users());
        assertEquals(1, one.inviters());
        assertEquals(0.5, one.k(), 1e-12);
        // a cohort given by its members: a core crowd of a and f (f never invited)
        Referrals.Cohort core = chains.cohort("core", List.of("a", "f", "a"));
        assertEquals(2, core.users());
        assertEquals(1.0, core.k(), 1e-12);
    }

    /** Advocates bring Poisson(2.75) sign-ups each: the interval of K covers 2.75. */
    @Test
    void theIntervalCoversThePlantedCoefficient() {
        SplittableRandom random = new SplittableRandom(8);
        List<SignUp> signUps = new ArrayList<>();
        List<String> inviters = new ArrayList<>();
        List<String> core = new ArrayList<>();
        for (int a = 0; a < 600; a++) {
            String advocate = "core-" + a;
            core.add(advocate);
            signUps.add(new SignUp(advocate, null));
            int brought = LookalikeTest.poisson(random, 2.75);
            // an advocate invites only those who come (some nobody)
            for (int i = 0; i < brought; i++) {
                signUps.add(new SignUp(advocate + "-" + i, advocate));
                inviters.add(advocate);
            }
        }
        Referrals.Cohort cohort =
                Referrals.chains(signUps, Referrals.count(inviters)).cohort("core", core);
        assertEquals(600, cohort.users());
        assertTrue(cohort.inviters() < 600, "some advocates brought nobody");
        assertTrue(cohort.kLow() <= 2.75 && 2.75 <= cohort.kHigh(), cohort.toString());
        assertTrue(cohort.kHigh() - cohort.kLow() < 0.4, cohort.toString());
    }
}
