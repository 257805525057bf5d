package io.strata.insight.grow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.insight.grow.Grow.Figures;
import io.strata.insight.grow.Grow.Part;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GrowTest {

    @Test
    void moreBuyersAloneIsGainAlone() {
        // twice the buyers, the same orders per buyer (1.5) and value per order (100)
        Part part = Grow.part("skincare", new Figures(100, 150, 0, 15_000), new Figures(200, 300, 0, 30_000));
        assertEquals(15_000, part.gain(), 0.0);
        assertEquals(0, part.retain(), 0.0);
        assertEquals(0, part.boost(), 0.0);
        assertEquals(0, part.widen(), 0.0);
    }

    @Test
    void eachDriverIsTheLogarithmicMeanTimesTheLogOfItsRatio() {
        // buyers 100 → 120, orders per buyer 1.5 → 1.6, value per order 200 → 210
        Figures f0 = new Figures(100, 150, 0, 30_000);
        Figures f1 = new Figures(120, 192, 0, 40_320);
        Part part = Grow.part("makeup", f0, f1);
        double l = (40_320 - 30_000) / (Math.log(40_320) - Math.log(30_000));
        assertEquals(l * Math.log(1.2), part.gain(), 1e-9);
        assertEquals(l * Math.log(1.6 / 1.5), part.retain(), 1e-9);
        assertEquals(l * Math.log(210.0 / 200), part.boost(), 1e-9);
        assertEquals(10_320, part.gain() + part.retain() + part.boost(), 0.0);
    }

    @Test
    void unitsSplitBoostIntoUnitsPerOrderAndPricePerUnit() {
        Part part = Grow.part("fragrance", new Figures(50, 60, 90, 9_000), new Figures(55, 70, 140, 12_600));
        assertEquals(part.boost(), part.unitsPerOrder() + part.pricePerUnit(), 1e-9);
        double l = Grow.logMean(9_000, 12_600);
        assertEquals(l * Math.log((140 / 70.0) / (90 / 60.0)), part.unitsPerOrder(), 1e-9);
        assertEquals(l * Math.log((12_600 / 140.0) / (9_000 / 90.0)), part.pricePerUnit(), 1e-9);
        assertEquals(3_600, part.gain() + part.retain() + part.boost(), 1e-9);
    }

    @Test
    void categoriesNewOrGoneAreWiden() {
        Map<String, Figures> before =
                Map.of("skincare", new Figures(100, 150, 0, 15_000), "candles", new Figures(10, 10, 0, 500));
        Map<String, Figures> after =
                Map.of("skincare", new Figures(100, 150, 0, 15_000), "haircare", new Figures(40, 45, 0, 2_700));
        Grow.Result result = Grow.decompose(before, after);
        Map<String, Part> parts = Grow.byCategory(result);
        assertEquals(2_700, parts.get("haircare").widen(), 0.0);
        assertEquals(-500, parts.get("candles").widen(), 0.0);
        assertNull(parts.get("haircare").unitsPerOrder());
        assertEquals(2_200, result.total().widen(), 0.0);
        assertEquals(2_200, result.total().change(), 0.0);
        assertEquals(
                0,
                result.total().gain() + result.total().retain() + result.total().boost(),
                0.0);
    }

    @Test
    void thePartsAddUpToTheChangeOfEveryCategoryAndOfTheTotal() {
        Random random = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            Map<String, Figures> before = new HashMap<>();
            Map<String, Figures> after = new HashMap<>();
            for (int c = 0; c < 12; c++) {
                if (random.nextInt(6) > 0) {
                    before.put("c" + c, figures(random));
                }
                if (random.nextInt(6) > 0) {
                    after.put("c" + c, figures(random));
                }
            }
            Grow.Result result = Grow.decompose(before, after);
            for (Part part : result.categories()) {
                double sum = part.gain() + part.retain() + part.boost() + part.widen();
                assertEquals(part.change(), sum, roundingOf(part), part.toString());
            }
            Part total = result.total();
            assertEquals(
                    total.change(), total.gain() + total.retain() + total.boost() + total.widen(), roundingOf(total));
        }
    }

    @Test
    void impossibleFiguresAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Figures(0, 3, 0, 100));
        assertThrows(IllegalArgumentException.class, () -> new Figures(2, 3, 0, -1));
    }

    /** A few units of the last place of the largest number in the sum (parts may cancel). */
    private static double roundingOf(Part part) {
        double largest = Math.max(
                Math.max(Math.abs(part.gain()), Math.abs(part.retain())),
                Math.max(
                        Math.max(Math.abs(part.boost()), Math.abs(part.widen())),
                        Math.max(part.before(), part.after())));
        return Math.ulp(largest) * 8;
    }

    private static Figures figures(Random random) {
        long buyers = 1 + random.nextInt(10_000);
        long orders = buyers + random.nextInt(20_000);
        long units = orders + random.nextInt(40_000);
        return new Figures(buyers, orders, units, orders * (10 + random.nextDouble() * 500));
    }
}
