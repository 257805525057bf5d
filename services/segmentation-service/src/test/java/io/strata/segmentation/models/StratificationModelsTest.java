package io.strata.segmentation.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.segmentation.models.Aipl.Stage;
import io.strata.segmentation.models.Aipl.Touch;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RFM, lifecycle, churn warning and AIPL on small examples worked out by hand. */
class StratificationModelsTest {

    private static final Instant NOW = Instant.parse("2026-06-30T16:00:00Z");
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    private static Instant daysAgo(double days) {
        return NOW.minus(Duration.ofMinutes(Math.round(days * 24 * 60)));
    }

    // ---- RFM ----

    /** Ten buyers: recency 1..10 days, purchases 1..10, spend 100..1000, the best in each by id 0 down. */
    private static List<Rfm.Input> tenBuyers() {
        List<Rfm.Input> out = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            out.add(new Rfm.Input("b" + i, i, 11 - i, 100.0 * (11 - i)));
        }
        return out;
    }

    @Test
    void quintilesByNearestRankRecencyReversed() {
        List<Rfm.Score> scores = Rfm.score(tenBuyers(), Rfm.Settings.DEFAULTS);
        // cuts at the 2nd, 4th, 6th and 8th smallest: 1,2 → 1; 3,4 → 2; ... 9,10 → 5
        int[] expected = {5, 5, 4, 4, 3, 3, 2, 2, 1, 1};
        for (int i = 0; i < 10; i++) {
            Rfm.Score s = scores.get(i);
            assertEquals(expected[i], s.r(), "R of " + s.id());
            assertEquals(expected[i], s.f(), "F of " + s.id());
            assertEquals(expected[i], s.m(), "M of " + s.id());
        }
        // high above the mean score (3): the first four
        assertEquals(Rfm.Group.IMPORTANT_VALUE, scores.get(3).group());
        assertEquals(Rfm.Group.GENERAL_WIN_BACK, scores.get(4).group());
    }

    @Test
    void theEightGroupsByHighAndLow() {
        // two buyers differing in each dimension in turn: recent/old, many/few, big/small
        List<Rfm.Input> buyers = new ArrayList<>();
        for (int g = 0; g < 8; g++) {
            boolean r = (g & 4) != 0;
            boolean f = (g & 2) != 0;
            boolean m = (g & 1) != 0;
            buyers.add(new Rfm.Input("g" + g, r ? 1 : 100, f ? 9 : 1, m ? 5000 : 50));
        }
        Rfm.Settings settings = new Rfm.Settings(
                365,
                Rfm.Scoring.QUARTILES,
                List.of(),
                List.of(),
                List.of(),
                new Rfm.Split.MeanScore(),
                Rfm.Monetary.TOTAL);
        List<Rfm.Score> scores = Rfm.score(buyers, settings);
        for (int g = 0; g < 8; g++) {
            Rfm.Group group = scores.get(g).group();
            assertEquals(Rfm.Group.of((g & 4) != 0, (g & 2) != 0, (g & 1) != 0), group, "buyer g" + g);
        }
        assertEquals("重要价值", scores.get(7).group().chinese());
        assertEquals("general_win_back", scores.get(0).group().code());
    }

    @Test
    void customCutsFixedSplitsAndTopPercent() {
        Rfm.Settings custom = new Rfm.Settings(
                90,
                Rfm.Scoring.CUSTOM,
                List.of(7.0, 30.0),
                List.of(1.0, 3.0),
                List.of(200.0),
                new Rfm.Split.AtLeast(3),
                Rfm.Monetary.AVERAGE);
        List<Rfm.Score> scores = Rfm.score(
                List.of(new Rfm.Input("a", 7, 4, 1000), new Rfm.Input("b", 31, 1, 150), new Rfm.Input("c", 8, 2, 500)),
                custom);
        // R: ≤ 7 → 3, (7, 30] → 2, > 30 → 1; F: ≤ 1 → 1, (1, 3] → 2, > 3 → 3; M (average): ≤ 200 → 1, else 2
        assertEquals(List.of(3, 1, 2), scores.stream().map(Rfm.Score::r).toList());
        assertEquals(List.of(3, 1, 2), scores.stream().map(Rfm.Score::f).toList());
        assertEquals(List.of(2, 1, 2), scores.stream().map(Rfm.Score::m).toList());
        assertEquals(250.0, scores.get(0).monetary(), 1e-9);
        assertEquals(
                List.of(true, false, false),
                scores.stream().map(Rfm.Score::rHigh).toList());
        // the best 20 % by value (ties at the edge in): 2 of the 10, the two most recent
        Rfm.Settings top = new Rfm.Settings(
                365,
                Rfm.Scoring.QUINTILES,
                List.of(),
                List.of(),
                List.of(),
                new Rfm.Split.TopPercent(20),
                Rfm.Monetary.TOTAL);
        List<Rfm.Score> ranked = Rfm.score(tenBuyers(), top);
        assertEquals(2, ranked.stream().filter(Rfm.Score::rHigh).count());
        assertTrue(
                ranked.get(0).rHigh() && ranked.get(1).rHigh() && ranked.get(0).mHigh());
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new Rfm.Settings(
                        365,
                        Rfm.Scoring.CUSTOM,
                        List.of(30.0, 7.0),
                        List.of(1.0),
                        List.of(1.0),
                        new Rfm.Split.MeanScore(),
                        Rfm.Monetary.TOTAL));
        assertTrue(e.getMessage().startsWith("rfm.recency_cuts"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Rfm.Split.TopPercent(0));
        // 7 % of 100 buyers is 7, not 8 (0.07 × 100 is a hair above 7 in binary)
        assertEquals(7, Rfm.ofShare(7, 100));
        assertEquals(1, Rfm.ofShare(0.5, 100));
        var score = assertThrows(
                IllegalArgumentException.class,
                () -> new Rfm.Settings(
                        365,
                        Rfm.Scoring.QUARTILES,
                        List.of(),
                        List.of(),
                        List.of(),
                        new Rfm.Split.AtLeast(5),
                        Rfm.Monetary.TOTAL));
        assertTrue(score.getMessage().startsWith("rfm.split.value must be a score from 1 to 4"), score.getMessage());
    }

    // ---- lifecycle ----

    private static Lifecycle.State stage(Lifecycle.Facts facts, Lifecycle.State before) {
        return Lifecycle.next(facts, Lifecycle.Settings.DEFAULTS, before, NOW);
    }

    @Test
    void lifecycleStagesByHand() {
        assertEquals(
                Lifecycle.Stage.POTENTIAL,
                stage(new Lifecycle.Facts(null, daysAgo(1), 0, false), null).stage());
        assertEquals(
                Lifecycle.Stage.NEW,
                stage(new Lifecycle.Facts(daysAgo(29), daysAgo(29), 1, false), null)
                        .stage());
        assertEquals(
                Lifecycle.Stage.ACTIVE,
                stage(new Lifecycle.Facts(daysAgo(30), daysAgo(2), 2, false), null)
                        .stage());
        assertEquals(
                Lifecycle.Stage.LOYAL,
                stage(new Lifecycle.Facts(daysAgo(300), daysAgo(2), 3, false), null)
                        .stage());
        assertEquals(
                Lifecycle.Stage.AT_RISK,
                stage(new Lifecycle.Facts(daysAgo(300), daysAgo(40), 3, true), null)
                        .stage());
        // the last activity 90 days ago to the millisecond: churned
        assertEquals(
                Lifecycle.Stage.CHURNED,
                stage(new Lifecycle.Facts(daysAgo(300), daysAgo(90), 3, false), null)
                        .stage());
        assertEquals(
                Lifecycle.Stage.AT_RISK,
                stage(new Lifecycle.Facts(daysAgo(300), daysAgo(90).plusMillis(1), 3, true), null)
                        .stage());
    }

    @Test
    void aChurnedCustomerWhoComesBackIsRecalledForAWhile() {
        Lifecycle.State churned = new Lifecycle.State(Lifecycle.Stage.CHURNED, daysAgo(20));
        Lifecycle.State back = stage(new Lifecycle.Facts(daysAgo(300), daysAgo(1), 1, false), churned);
        assertEquals(new Lifecycle.State(Lifecycle.Stage.RECALLED, NOW), back);
        // unchanged: the same state, since kept
        Lifecycle.State recalled = new Lifecycle.State(Lifecycle.Stage.RECALLED, daysAgo(29));
        assertSame(recalled, stage(new Lifecycle.Facts(daysAgo(300), daysAgo(1), 1, false), recalled));
        // after 30 days recalled, the usual stages again
        Lifecycle.State later = stage(
                new Lifecycle.Facts(daysAgo(300), daysAgo(1), 1, false),
                new Lifecycle.State(Lifecycle.Stage.RECALLED, daysAgo(30)));
        assertEquals(Lifecycle.Stage.ACTIVE, later.stage());
        var e = assertThrows(IllegalArgumentException.class, () -> new Lifecycle.Settings(30, 3, 365, 20, 30));
        assertTrue(e.getMessage().startsWith("lifecycle.churned_days"), e.getMessage());
    }

    // ---- churn warning ----

    @Test
    void churnWarningWindowsAreHalfOpenAndThePreviousOneMustHaveActivity() {
        ChurnWarning.Settings settings = ChurnWarning.Settings.DEFAULTS;
        List<Instant> visits = List.of(
                daysAgo(60), // the previous window's first instant: in it
                daysAgo(45),
                daysAgo(30).plusMillis(-1), // its last millisecond
                daysAgo(30), // the recent window's first instant
                NOW, // the end: outside
                daysAgo(61));
        ChurnWarning.Counts counts = ChurnWarning.count(visits, settings, NOW);
        assertEquals(new ChurnWarning.Counts(3, 1), counts);
        assertTrue(ChurnWarning.atRisk(counts, settings)); // 1 ≤ 1.5
        assertFalse(ChurnWarning.atRisk(new ChurnWarning.Counts(4, 3), settings));
        assertTrue(ChurnWarning.atRisk(new ChurnWarning.Counts(4, 2), settings)); // exactly half
        assertFalse(ChurnWarning.atRisk(new ChurnWarning.Counts(0, 0), settings)); // nothing to drop from
        assertThrows(IllegalArgumentException.class, () -> new ChurnWarning.Settings(Set.of("page"), 30, 1));
    }

    // ---- AIPL ----

    private static Optional<Stage> aipl(Touch... touches) {
        return Aipl.stage(List.of(touches), Aipl.Settings.DEFAULTS, NOW, SHANGHAI);
    }

    @Test
    void theHighestStageWithinItsWindowWins() {
        assertEquals(Optional.empty(), aipl(new Touch("Content Viewed", daysAgo(15))));
        assertEquals(Optional.of(Stage.A), aipl(new Touch("Content Viewed", daysAgo(14.9))));
        assertEquals(
                Optional.of(Stage.I),
                aipl(new Touch("Content Viewed", daysAgo(1)), new Touch("Product Added", daysAgo(14))));
        // a purchase two years ago is within 2.5 years; three years ago is not
        assertEquals(
                Optional.of(Stage.P),
                aipl(new Touch("Product Added", daysAgo(1)), new Touch("Order Completed", daysAgo(730))));
        assertEquals(Optional.empty(), aipl(new Touch("Order Completed", daysAgo(1100))));
        // purchases on three days of the last year (two on one day count once)
        assertEquals(
                Optional.of(Stage.P),
                aipl(
                        // noon and a quarter to noon of one day in Shanghai ("now" is its midnight)
                        new Touch("Order Completed", daysAgo(10.5)),
                        new Touch("Order Completed", daysAgo(10.51)),
                        new Touch("Order Completed", daysAgo(100))));
        assertEquals(
                Optional.of(Stage.L),
                aipl(
                        new Touch("Order Completed", daysAgo(10)),
                        new Touch("Order Completed", daysAgo(50)),
                        new Touch("Order Completed", daysAgo(100))));
        assertEquals(Optional.of(Stage.L), aipl(new Touch("Product Shared", daysAgo(200))));
        // an event after "now" is not seen
        assertEquals(Optional.empty(), aipl(new Touch("Order Completed", NOW.plusSeconds(1))));
    }

    @Test
    void flowsAndFastBetweenTwoDates() {
        Map<String, Stage> start = Map.of("a", Stage.A, "b", Stage.I, "c", Stage.P, "d", Stage.A);
        Map<String, Stage> end = Map.of("a", Stage.I, "b", Stage.P, "c", Stage.P, "e", Stage.A);
        Map<Stage, Map<Stage, Long>> flows = Aipl.flows(start, end);
        assertEquals(1L, flows.get(Stage.A).get(Stage.I));
        assertEquals(1L, flows.get(Stage.I).get(Stage.P));
        assertEquals(1L, flows.get(Stage.P).get(Stage.P));
        assertEquals(1L, flows.get(Stage.A).get(null)); // d left the assets
        assertEquals(1L, flows.get(null).get(Stage.A)); // e entered them
        Aipl.Fast fast = Aipl.fast(start, end, 10, 4);
        assertEquals(4, fast.fertility());
        assertEquals(0.5, fast.advancing(), 1e-12); // a and b moved deeper, of four
        assertEquals(10, fast.superiority());
        assertEquals(0.4, fast.thriving(), 1e-12);
        assertEquals(Map.of(Stage.A, 1L, Stage.I, 1L, Stage.P, 2L, Stage.L, 0L), Aipl.distribution(end));
    }
}
