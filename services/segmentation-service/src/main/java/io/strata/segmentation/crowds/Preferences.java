package io.strata.segmentation.crowds;

/**
 * Preference vectors (a micro-group's purchases or views over the categories, as shares that sum
 * to 1) and the distances between them that the domain guide names: Hellinger, Jensen–Shannon
 * and cosine, each in [0, 1].
 */
public final class Preferences {

    private Preferences() {}

    /** The distance between two preference vectors. */
    public enum Metric {
        /**
         * H(P, Q) = ‖√P − √Q‖₂ / √2: Euclidean on √P, so Ward's linkage is valid on it (the
         * default).
         */
        HELLINGER,
        /** The square root of the Jensen–Shannon divergence in bits: a metric in [0, 1]. */
        JENSEN_SHANNON,
        /** 1 − cos(P, Q): for non-negative vectors in [0, 1]; not a metric, for average linkage. */
        COSINE;

        public double distance(double[] p, double[] q) {
            return switch (this) {
                case HELLINGER -> hellinger(p, q);
                case JENSEN_SHANNON -> jensenShannon(p, q);
                case COSINE -> cosine(p, q);
            };
        }
    }

    /**
     * Counts smoothed towards a prior mix: (c_i + s·π_i) / (n + s), so a small group's few
     * purchases do not make it look extreme; with no counts at all the prior itself.
     *
     * @param prior shares summing to 1 (the whole population's mix), or null for a uniform one
     * @param strength s, the prior's weight in pseudo-counts (0: the raw shares)
     */
    public static double[] smooth(double[] counts, double[] prior, double strength) {
        if (strength < 0 || !Double.isFinite(strength)) {
            throw new IllegalArgumentException("strength must be a finite number ≥ 0, was " + strength);
        }
        int k = counts.length;
        if (prior != null && prior.length != k) {
            throw new IllegalArgumentException("the prior has " + prior.length + " categories, the counts " + k);
        }
        double n = 0;
        for (double c : counts) {
            if (c < 0 || !Double.isFinite(c)) {
                throw new IllegalArgumentException("counts must be finite and ≥ 0, was " + c);
            }
            n += c;
        }
        double[] out = new double[k];
        if (n + strength == 0) {
            for (int i = 0; i < k; i++) {
                out[i] = prior == null ? 1.0 / k : prior[i];
            }
            return out;
        }
        for (int i = 0; i < k; i++) {
            double pi = prior == null ? 1.0 / k : prior[i];
            out[i] = (counts[i] + strength * pi) / (n + strength);
        }
        return out;
    }

    /** H(P, Q) = ‖√P − √Q‖₂ / √2; 0 for identical vectors, 1 for disjoint ones. */
    public static double hellinger(double[] p, double[] q) {
        check(p, q);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double d = Math.sqrt(p[i]) - Math.sqrt(q[i]);
            sum += d * d;
        }
        return Math.min(1.0, Math.sqrt(sum / 2));
    }

    /** √JSD(P, Q) with logarithms to base 2: 0 for identical vectors, 1 for disjoint ones. */
    public static double jensenShannon(double[] p, double[] q) {
        check(p, q);
        double divergence = 0;
        for (int i = 0; i < p.length; i++) {
            double m = (p[i] + q[i]) / 2;
            if (p[i] > 0) {
                divergence += p[i] * Math.log(p[i] / m);
            }
            if (q[i] > 0) {
                divergence += q[i] * Math.log(q[i] / m);
            }
        }
        divergence /= 2 * Math.log(2);
        return Math.sqrt(Math.max(0, Math.min(1, divergence)));
    }

    /** 1 − P·Q / (‖P‖‖Q‖), in [0, 1] for non-negative vectors; 1 when either is all zeros. */
    public static double cosine(double[] p, double[] q) {
        check(p, q);
        return Math.max(0, Math.min(1, 1 - cosineSimilarity(p, q)));
    }

    /** P·Q / (‖P‖‖Q‖), in [−1, 1]; 0 when either is all zeros. */
    public static double cosineSimilarity(double[] p, double[] q) {
        double dot = 0;
        double pp = 0;
        double qq = 0;
        for (int i = 0; i < p.length; i++) {
            dot += p[i] * q[i];
            pp += p[i] * p[i];
            qq += q[i] * q[i];
        }
        return pp == 0 || qq == 0 ? 0 : dot / Math.sqrt(pp * qq);
    }

    /** The distances between every pair, condensed: entry (i, j), i < j, at {@link #index}. */
    public static double[] distances(double[][] vectors, Metric metric) {
        int n = vectors.length;
        double[] out = new double[n * (n - 1) / 2];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                out[index(n, i, j)] = metric.distance(vectors[i], vectors[j]);
            }
        }
        return out;
    }

    /** Where the pair i < j of n items is held in a condensed distance array. */
    public static int index(int n, int i, int j) {
        if (i > j) {
            int t = i;
            i = j;
            j = t;
        }
        return n * i - i * (i + 1) / 2 + (j - i - 1);
    }

    private static void check(double[] p, double[] q) {
        if (p.length != q.length) {
            throw new IllegalArgumentException("vectors of " + p.length + " and " + q.length + " categories");
        }
    }
}
