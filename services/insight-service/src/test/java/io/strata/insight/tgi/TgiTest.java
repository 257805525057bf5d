package io.strata.insight.tgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.insight.tgi.Tgi.Counts;
import io.strata.insight.tgi.Tgi.Flag;
import io.strata.insight.tgi.Tgi.Row;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TgiTest {

    @Test
    void katzIntervalOfTheDomainExample() {
        // 70 of an audience of 280 have the feature, 625 of 1,500 in the base
        Tgi.Interval interval = Tgi.katz(70, 280, 625, 1_500, 1.96);
        assertEquals(0.6, interval.ratio(), 1e-12);
        assertEquals(0.4856, interval.lower(), 0.00005);
        assertEquals(0.7413, interval.upper(), 0.00005);
    }

    @Test
    void anAudienceAgainstADisjointBaseGivesIndex60WithTheKatzInterval() {
        Row row = Tgi.compute(List.of(new Counts("city", "Chengdu", 70, 280, 625, 1_500, 0, 0)), Tgi.Settings.DEFAULT)
                .get(0);
        assertEquals(60.0, row.index(), 1e-9);
        assertEquals(48.56, row.lower(), 0.005);
        assertEquals(74.13, row.upper(), 0.005);
        assertEquals(Flag.NONE, row.flag());
        // 25 % against 41.7 %: far from chance
        assertTrue(row.p() < 1e-6, "p " + row.p());
    }

    @Test
    void theTestComparesTheAudienceWithTheRestOfTheBaseNotWithABaseHoldingIt() {
        // the base (everyone, 1,780) holds the audience (280): 70 + 625 have the feature
        Counts nested = new Counts("city", "Chengdu", 70, 280, 695, 1_780, 70, 280);
        Row row = Tgi.compute(List.of(nested), Tgi.Settings.DEFAULT).get(0);
        assertEquals((70 / 280.0) / (695 / 1_780.0) * 100, row.index(), 1e-9);
        assertEquals(Tgi.zStatistic(70, 280, 625, 1_500), row.z(), 1e-12, "against the 1,500 outside the audience");
        assertTrue(Math.abs(row.z()) > Math.abs(Tgi.zStatistic(70, 280, 695, 1_780)));
    }

    @Test
    void smallBasesGetNoIndexOrAFlag() {
        List<Row> rows = Tgi.compute(
                List.of(
                        new Counts("creator", "tiny", 10, 1_000, 49, 100_000, 10, 1_000),
                        new Counts("creator", "small", 20, 1_000, 150, 100_000, 20, 1_000),
                        new Counts("creator", "big", 100, 1_000, 5_000, 100_000, 100, 1_000)),
                Tgi.Settings.DEFAULT);
        Row tiny = rows.stream()
                .filter(r -> r.counts().value().equals("tiny"))
                .findFirst()
                .orElseThrow();
        assertEquals(Flag.INSUFFICIENT_BASE, tiny.flag());
        assertNull(tiny.index());
        assertEquals("tiny", rows.get(2).counts().value(), "rows without an index come last");
        assertEquals(
                Flag.SMALL_BASE,
                rows.stream()
                        .filter(r -> r.counts().value().equals("small"))
                        .findFirst()
                        .orElseThrow()
                        .flag());
    }

    @Test
    void rankedByTheLowerBoundNotByTheIndex() {
        // a huge index on few members ranks below a smaller one on many
        List<Row> rows = Tgi.compute(
                List.of(
                        new Counts("topic", "niche", 3, 1_000, 60, 100_000, 3, 1_000),
                        new Counts("topic", "broad", 300, 1_000, 15_000, 100_000, 300, 1_000)),
                Tgi.Settings.DEFAULT);
        assertTrue(rows.get(1).index() > rows.get(0).index(), "niche has the higher index");
        assertEquals("broad", rows.get(0).counts().value(), "broad has the higher lower bound");
    }

    @Test
    void benjaminiHochbergMatchesTheStepUpProcedure() {
        double[] p = {0.01, 0.04, 0.03, 0.005};
        // sorted 0.005, 0.01, 0.03, 0.04 → ×4/rank: 0.02, 0.02, 0.04, 0.04
        assertArrayEquals(new double[] {0.02, 0.04, 0.04, 0.02}, Tgi.benjaminiHochberg(p), 1e-12);
        assertArrayEquals(new double[] {1.0}, Tgi.benjaminiHochberg(new double[] {1.0}), 1e-12);
    }

    @Test
    void theIntervalCoversThePlantedIndexAboutNinetyFivePercentOfTheTime() {
        // audience share 0.3, base (disjoint) share 0.2: true ratio 1.5
        Random random = new Random(7);
        int covered = 0;
        int trials = 2_000;
        for (int t = 0; t < trials; t++) {
            int a = binomial(random, 500, 0.3);
            int c = binomial(random, 5_000, 0.2);
            Tgi.Interval interval = Tgi.katz(a, 500, c, 5_000, 1.96);
            if (interval.lower() <= 1.5 && 1.5 <= interval.upper()) {
                covered++;
            }
        }
        double coverage = (double) covered / trials;
        assertTrue(coverage > 0.93 && coverage < 0.97, "coverage " + coverage);
    }

    @Test
    void countsThatCannotBeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Counts("d", "v", 5, 4, 1, 10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Counts("d", "v", 1, 4, 1, 10, 2, 4));
        assertThrows(IllegalArgumentException.class, () -> new Tgi.Settings(200, 50, 0.95));
    }

    private static int binomial(Random random, int n, double p) {
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (random.nextDouble() < p) {
                k++;
            }
        }
        return k;
    }
}
