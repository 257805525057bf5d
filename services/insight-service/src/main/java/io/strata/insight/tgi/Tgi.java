package io.strata.insight.tgi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.hipparchus.distribution.continuous.NormalDistribution;

/**
 * The target group index of an audience against a base over many features at once, from counts
 * (bitmap cardinalities: the audience, the base, each feature and their intersections), as
 * DOMAIN.md defines it:
 *
 * <ul>
 *   <li>index = (a/n) ÷ (c/m) × 100, with a of the n audience members and c of the m base members
 *       having the feature;
 *   <li>its 95 % interval by Katz's log method: ratio·exp(±1.96·√(1/a − 1/n + 1/c − 1/m)). The
 *       formula treats the two shares as independent; when the base contains the audience they
 *       are positively correlated and the interval is wider than it need be (conservative);
 *   <li>a two-proportion z-test of the audience against the rest of the base (the audience's
 *       members taken out of the base), its two-sided p-value adjusted by Benjamini–Hochberg over
 *       all the features tested together;
 *   <li>no index when fewer than {@code minBase} base members have the feature (default 50), a
 *       flag below {@code flagBelow} (default 200);
 *   <li>ranked by the interval's lower bound, highest first: an index is only as high as the
 *       evidence for it.
 * </ul>
 */
public final class Tgi {

    private static final NormalDistribution NORMAL = new NormalDistribution(0, 1);

    private Tgi() {}

    public record Settings(int minBase, int flagBelow, double confidence) {

        public static final Settings DEFAULT = new Settings(50, 200, 0.95);

        public Settings {
            if (minBase < 1 || flagBelow < minBase) {
                throw new IllegalArgumentException("need 1 ≤ minBase ≤ flagBelow: " + minBase + ", " + flagBelow);
            }
            if (!(confidence > 0 && confidence < 1)) {
                throw new IllegalArgumentException("confidence must be in (0, 1): " + confidence);
            }
        }

        double z() {
            return NORMAL.inverseCumulativeProbability(1 - (1 - confidence) / 2);
        }
    }

    /**
     * One feature's counts: {@code audienceWith} of the audience's {@code audience} members have it,
     * {@code baseWith} of the base's {@code base}; {@code bothWith} of the {@code both} members of
     * audience and base have it (all of the audience when the base contains it, none when they are
     * disjoint).
     */
    public record Counts(
            String dimension,
            String value,
            long audienceWith,
            long audience,
            long baseWith,
            long base,
            long bothWith,
            long both) {

        public Counts {
            if (audienceWith < 0 || audienceWith > audience || baseWith < 0 || baseWith > base) {
                throw new IllegalArgumentException("counts out of range for " + dimension + "=" + value);
            }
            if (bothWith < 0
                    || bothWith > both
                    || both > Math.min(audience, base)
                    || bothWith > Math.min(audienceWith, baseWith)) {
                throw new IllegalArgumentException("overlap out of range for " + dimension + "=" + value);
            }
        }
    }

    /** A ratio and its interval (as ratios; × 100 for the index). */
    public record Interval(double ratio, double lower, double upper) {}

    public enum Flag {
        NONE,
        /** fewer than the flag threshold of base members have the feature: read with care */
        SMALL_BASE,
        /** fewer than the minimum base: no index is given */
        INSUFFICIENT_BASE
    }

    public record Row(
            Counts counts,
            double audienceShare,
            double baseShare,
            Double index,
            Double lower,
            Double upper,
            double z,
            double p,
            double q,
            Flag flag) {}

    /** Katz's log interval of (a/n) ÷ (c/m) at the given z (1.96 for 95 %). */
    public static Interval katz(long a, long n, long c, long m, double z) {
        if (a <= 0 || c <= 0) {
            throw new IllegalArgumentException("Katz's interval needs a > 0 and c > 0: " + a + ", " + c);
        }
        double ratio = ((double) a / n) / ((double) c / m);
        double se = Math.sqrt(1.0 / a - 1.0 / n + 1.0 / c - 1.0 / m);
        return new Interval(ratio, ratio * Math.exp(-z * se), ratio * Math.exp(z * se));
    }

    /**
     * The two-proportion z statistic of x1 of n1 against x2 of n2, with the pooled share (0 when
     * both shares are 0 or 1).
     */
    public static double zStatistic(long x1, long n1, long x2, long n2) {
        if (n1 == 0 || n2 == 0) {
            return 0;
        }
        double p1 = (double) x1 / n1;
        double p2 = (double) x2 / n2;
        double pooled = (double) (x1 + x2) / (n1 + n2);
        double variance = pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2);
        return variance == 0 ? 0 : (p1 - p2) / Math.sqrt(variance);
    }

    /** The two-sided p-value of a standard normal statistic. */
    public static double twoSided(double z) {
        return 2 * NORMAL.cumulativeProbability(-Math.abs(z));
    }

    /** Benjamini–Hochberg adjusted p-values (q-values), in the order given. */
    public static double[] benjaminiHochberg(double[] p) {
        int k = p.length;
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        double[] q = new double[k];
        double running = 1.0;
        for (int rank = k; rank >= 1; rank--) {
            int i = order[rank - 1];
            running = Math.min(running, p[i] * k / rank);
            q[i] = running;
        }
        return q;
    }

    /** Every feature's row, ranked by the interval's lower bound (rows without an index last). */
    public static List<Row> compute(List<Counts> features, Settings settings) {
        double z = settings.z();
        double[] p = new double[features.size()];
        double[] zs = new double[features.size()];
        for (int i = 0; i < features.size(); i++) {
            Counts f = features.get(i);
            // the rest of the base: its members outside the audience
            long restWith = f.baseWith() - f.bothWith();
            long rest = f.base() - f.both();
            zs[i] = zStatistic(f.audienceWith(), f.audience(), restWith, rest);
            p[i] = twoSided(zs[i]);
        }
        double[] q = benjaminiHochberg(p);
        List<Row> rows = new ArrayList<>(features.size());
        for (int i = 0; i < features.size(); i++) {
            Counts f = features.get(i);
            double audienceShare = f.audience() == 0 ? 0 : (double) f.audienceWith() / f.audience();
            double baseShare = f.base() == 0 ? 0 : (double) f.baseWith() / f.base();
            Flag flag = f.baseWith() < settings.minBase()
                    ? Flag.INSUFFICIENT_BASE
                    : f.baseWith() < settings.flagBelow() ? Flag.SMALL_BASE : Flag.NONE;
            Double index = null;
            Double lower = null;
            Double upper = null;
            if (flag != Flag.INSUFFICIENT_BASE) {
                index = audienceShare / baseShare * 100;
                if (f.audienceWith() > 0) {
                    Interval interval = katz(f.audienceWith(), f.audience(), f.baseWith(), f.base(), z);
                    lower = interval.lower() * 100;
                    upper = interval.upper() * 100;
                } else {
                    lower = 0.0;
                }
            }
            rows.add(new Row(f, audienceShare, baseShare, index, lower, upper, zs[i], p[i], q[i], flag));
        }
        rows.sort(Comparator.comparing((Row r) -> r.lower() == null ? Double.NEGATIVE_INFINITY : r.lower())
                .reversed()
                .thenComparing(r -> r.counts().dimension())
                .thenComparing(r -> r.counts().value()));
        return rows;
    }
}
