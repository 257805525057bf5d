package io.strata.insight.grow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * GROW: the change of GMV between two periods, per category and in total, split into Gain
 * (buyers), Retain (orders per buyer), bOost (value per order; optionally units per order × price
 * per unit) and Widen (categories new in the later period, less those gone from it), exactly as
 * DOMAIN.md writes it. For a category present in both periods, GMV = B × (O/B) × (GMV/O) and the
 * additive LMDI gives ΔGMV = L·ln(B¹/B⁰) + L·ln(F¹/F⁰) + L·ln(V¹/V⁰), L the logarithmic mean of
 * the two GMVs. The logarithms add up to ln(GMV¹/GMV⁰) exactly; what floating point leaves over
 * (a few units of its last place) goes to the largest part, so the parts add up to the change
 * as exactly as a sum of doubles can.
 */
public final class Grow {

    private Grow() {}

    /** A category's figures in one period; units 0 when not known. */
    public record Figures(long buyers, long orders, long units, double gmv) {

        public Figures {
            if (buyers < 0 || orders < 0 || units < 0 || gmv < 0) {
                throw new IllegalArgumentException("figures must not be negative");
            }
            if (gmv > 0 && (buyers == 0 || orders == 0)) {
                throw new IllegalArgumentException("GMV without buyers or orders");
            }
        }

        boolean present() {
            return gmv > 0;
        }
    }

    /**
     * One category's parts. For a category in both periods widen is 0; for one in a single period
     * gain, retain and boost are 0 and widen is the change. With units known in both periods,
     * boost = unitsPerOrder + pricePerUnit.
     */
    public record Part(
            String category,
            double before,
            double after,
            double gain,
            double retain,
            double boost,
            Double unitsPerOrder,
            Double pricePerUnit,
            double widen) {

        public double change() {
            return after - before;
        }
    }

    public record Result(List<Part> categories, Part total) {}

    public static Result decompose(Map<String, Figures> before, Map<String, Figures> after) {
        TreeSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        List<Part> parts = new ArrayList<>();
        double gain = 0;
        double retain = 0;
        double boost = 0;
        double widen = 0;
        double total0 = 0;
        double total1 = 0;
        for (String name : names) {
            Figures f0 = before.getOrDefault(name, new Figures(0, 0, 0, 0));
            Figures f1 = after.getOrDefault(name, new Figures(0, 0, 0, 0));
            Part part = part(name, f0, f1);
            parts.add(part);
            gain += part.gain();
            retain += part.retain();
            boost += part.boost();
            widen += part.widen();
            total0 += f0.gmv();
            total1 += f1.gmv();
        }
        double[] summed = exact(total1 - total0, gain, retain, boost, widen);
        Part total = new Part("", total0, total1, summed[0], summed[1], summed[2], null, null, summed[3]);
        return new Result(parts, total);
    }

    static Part part(String name, Figures f0, Figures f1) {
        double change = f1.gmv() - f0.gmv();
        if (!f0.present() || !f1.present()) {
            return new Part(name, f0.gmv(), f1.gmv(), 0, 0, 0, null, null, change);
        }
        double l = logMean(f0.gmv(), f1.gmv());
        double gain = l * Math.log((double) f1.buyers() / f0.buyers());
        double retain = l * Math.log(((double) f1.orders() / f1.buyers()) / ((double) f0.orders() / f0.buyers()));
        boolean units = f0.units() > 0 && f1.units() > 0;
        if (units) {
            double unitsPerOrder =
                    l * Math.log(((double) f1.units() / f1.orders()) / ((double) f0.units() / f0.orders()));
            double pricePerUnit = l * Math.log((f1.gmv() / f1.units()) / (f0.gmv() / f0.units()));
            double[] parts = exact(change, gain, retain, unitsPerOrder, pricePerUnit);
            return new Part(name, f0.gmv(), f1.gmv(), parts[0], parts[1], parts[2] + parts[3], parts[2], parts[3], 0);
        }
        double boost = l * Math.log((f1.gmv() / f1.orders()) / (f0.gmv() / f0.orders()));
        double[] parts = exact(change, gain, retain, boost);
        return new Part(name, f0.gmv(), f1.gmv(), parts[0], parts[1], parts[2], null, null, 0);
    }

    /** The logarithmic mean (y − x) / (ln y − ln x), x when they are equal. */
    static double logMean(double x, double y) {
        return x == y ? x : (y - x) / (Math.log(y) - Math.log(x));
    }

    /** The parts with what rounding left over added to the largest, so they sum to the change. */
    private static double[] exact(double change, double... parts) {
        double[] out = parts.clone();
        int largest = 0;
        for (int i = 1; i < out.length; i++) {
            if (Math.abs(out[i]) > Math.abs(out[largest])) {
                largest = i;
            }
        }
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            if (i != largest) {
                sum += out[i];
            }
        }
        out[largest] = change - sum;
        return out;
    }

    /** Per category in name order, convenient for a report. */
    public static Map<String, Part> byCategory(Result result) {
        Map<String, Part> map = new TreeMap<>();
        for (Part part : result.categories()) {
            map.put(part.category(), part);
        }
        return map;
    }
}
