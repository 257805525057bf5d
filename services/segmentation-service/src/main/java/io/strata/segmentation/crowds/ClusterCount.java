package io.strata.segmentation.crowds;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How many crowds a tree of micro-groups holds: the mean silhouette of each cut, and the gap
 * statistic (Tibshirani, Walther and Hastie 2001) against reference sets of random preference
 * vectors drawn from the box the data spans, clustered the same way. Reproducible: the references
 * come from a seeded generator.
 */
public final class ClusterCount {

    private ClusterCount() {}

    /** How the number is chosen. */
    public enum Choice {
        /**
         * One crowd when the gap statistic accepts one (Gap(1) ≥ Gap(2) − s(2): no structure);
         * otherwise, among the counts it accepts (Gap(k) ≥ Gap(k+1) − s(k+1)), the one of the highest
         * mean silhouette, or the highest silhouette when it accepts none below the most (the
         * default).
         */
        SILHOUETTE_AND_GAP,
        /** The highest mean silhouette. */
        SILHOUETTE,
        /** The smallest count the gap statistic accepts. */
        GAP,
        /** A number given. */
        FIXED
    }

    /**
     * One count's figures.
     *
     * @param silhouette the mean silhouette of the cut (NaN for one cluster)
     * @param gap Gap(k)
     * @param gapError s(k), the reference's standard deviation × √(1 + 1/B)
     */
    public record Score(int k, double silhouette, double gap, double gapError) {}

    /**
     * The figures of k = 1 … max and the count chosen.
     *
     * @param chosen the number of crowds
     * @param scores per k from 1
     */
    public record Result(int chosen, List<Score> scores) {}

    /**
     * How a tree was made and how its count is chosen.
     *
     * @param metric and {@code linkage}: as the tree was clustered (the references are clustered so)
     * @param max the most crowds considered (at most the items)
     * @param references B, the reference sets of the gap statistic (0: no gap statistic)
     * @param seed of the references' random draws
     * @param fixed the count when {@code choice} is FIXED
     */
    public record Settings(
            Preferences.Metric metric,
            Agglomerative.Linkage linkage,
            int max,
            int references,
            long seed,
            Choice choice,
            int fixed) {

        /** Hellinger and Ward, up to 10 crowds, 20 reference sets, chosen by the silhouette and the gap. */
        public static Settings defaults() {
            return new Settings(
                    Preferences.Metric.HELLINGER, Agglomerative.Linkage.WARD, 10, 20, 1, Choice.SILHOUETTE_AND_GAP, 0);
        }

        public Settings choosing(Choice newChoice, int newFixed) {
            return new Settings(metric, linkage, max, references, seed, newChoice, newFixed);
        }
    }

    /**
     * @param vectors the micro-groups' preference vectors (the items of {@code tree})
     * @param weights their sizes as the tree was clustered with them, or null
     * @param tree their clustering by the settings' metric and linkage
     */
    public static Result choose(double[][] vectors, double[] weights, Dendrogram tree, Settings settings) {
        Preferences.Metric metric = settings.metric();
        Agglomerative.Linkage linkage = settings.linkage();
        int max = settings.max();
        int references = settings.references();
        long seed = settings.seed();
        Choice choice = settings.choice();
        int fixed = settings.fixed();
        int n = vectors.length;
        if (tree.items() != n) {
            throw new IllegalArgumentException("the tree holds " + tree.items() + " items, " + n + " vectors given");
        }
        int top = Math.min(max, n);
        if (top < 1) {
            throw new IllegalArgumentException("max must be ≥ 1, was " + max);
        }
        boolean needsGap = choice == Choice.GAP || choice == Choice.SILHOUETTE_AND_GAP;
        if (needsGap && references < 1) {
            throw new IllegalArgumentException("the gap statistic needs at least one reference set");
        }
        double[] distances = Preferences.distances(vectors, metric);
        double[] logW = new double[top + 1];
        double[] silhouettes = new double[top + 1];
        for (int k = 1; k <= top; k++) {
            int[] labels = tree.cut(k);
            logW[k] = Math.log(Math.max(within(n, distances, weights, labels), Double.MIN_NORMAL));
            silhouettes[k] = k == 1 ? Double.NaN : silhouette(n, distances, labels);
        }
        double[] gap = new double[top + 1];
        double[] error = new double[top + 1];
        if (references > 0) {
            double[][] referenceLogW = new double[references][];
            SplittableRandom random = new SplittableRandom(seed);
            for (int b = 0; b < references; b++) {
                double[][] reference = reference(vectors, random);
                double[] d = Preferences.distances(reference, metric);
                Dendrogram refTree = Agglomerative.cluster(n, d, weights, linkage);
                referenceLogW[b] = new double[top + 1];
                for (int k = 1; k <= top; k++) {
                    referenceLogW[b][k] = Math.log(Math.max(within(n, d, weights, refTree.cut(k)), Double.MIN_NORMAL));
                }
            }
            for (int k = 1; k <= top; k++) {
                double mean = 0;
                for (double[] r : referenceLogW) {
                    mean += r[k];
                }
                mean /= references;
                double variance = 0;
                for (double[] r : referenceLogW) {
                    variance += (r[k] - mean) * (r[k] - mean);
                }
                variance /= references;
                gap[k] = mean - logW[k];
                error[k] = Math.sqrt(variance) * Math.sqrt(1 + 1.0 / references);
            }
        } else {
            java.util.Arrays.fill(gap, Double.NaN);
            java.util.Arrays.fill(error, Double.NaN);
        }
        List<Score> scores = new ArrayList<>();
        for (int k = 1; k <= top; k++) {
            scores.add(new Score(k, silhouettes[k], gap[k], error[k]));
        }
        int chosen = switch (choice) {
            case FIXED -> {
                if (fixed < 1 || fixed > n) {
                    throw new IllegalArgumentException("a fixed count of 1 to " + n + ", was " + fixed);
                }
                yield fixed;
            }
            case SILHOUETTE -> bestSilhouette(silhouettes, 2, top);
            case GAP -> {
                for (int k = 1; k < top; k++) {
                    if (accepted(gap, error, k)) {
                        yield k;
                    }
                }
                yield top;
            }
            case SILHOUETTE_AND_GAP -> {
                if (top == 1 || accepted(gap, error, 1)) {
                    yield 1; // no structure beyond one crowd
                }
                int best = -1;
                for (int k = 2; k < top; k++) {
                    if (accepted(gap, error, k) && (best < 0 || silhouettes[k] > silhouettes[best])) {
                        best = k;
                    }
                }
                yield best > 0 ? best : bestSilhouette(silhouettes, 2, top);
            }
        };
        return new Result(chosen, scores);
    }

    private static boolean accepted(double[] gap, double[] error, int k) {
        return gap[k] >= gap[k + 1] - error[k + 1];
    }

    private static int bestSilhouette(double[] silhouettes, int from, int to) {
        if (to < from) {
            return 1;
        }
        int best = from;
        for (int k = from + 1; k <= to; k++) {
            if (silhouettes[k] > silhouettes[best]) {
                best = k;
            }
        }
        return best;
    }

    /**
     * W_k = Σ over clusters of (Σ of squared distances between its members, each pair once) / its
     * size; with weights, an item of weight w counts as w identical points.
     */
    static double within(int n, double[] distances, double[] weights, int[] labels) {
        int k = 0;
        for (int label : labels) {
            k = Math.max(k, label + 1);
        }
        double[] sums = new double[k];
        double[] sizes = new double[k];
        for (int i = 0; i < n; i++) {
            double wi = weights == null ? 1 : weights[i];
            sizes[labels[i]] += wi;
            for (int j = i + 1; j < n; j++) {
                if (labels[i] == labels[j]) {
                    double d = distances[Preferences.index(n, i, j)];
                    sums[labels[i]] += wi * (weights == null ? 1 : weights[j]) * d * d;
                }
            }
        }
        double w = 0;
        for (int c = 0; c < k; c++) {
            w += sums[c] / sizes[c];
        }
        return w;
    }

    /**
     * The mean silhouette over the items: (b − a) / max(a, b), a the mean distance to the rest of
     * its cluster, b to the nearest other cluster; 0 for an item alone in its cluster.
     */
    public static double silhouette(int n, double[] distances, int[] labels) {
        int k = 0;
        for (int label : labels) {
            k = Math.max(k, label + 1);
        }
        if (k < 2) {
            return Double.NaN;
        }
        int[] sizes = new int[k];
        for (int label : labels) {
            sizes[label]++;
        }
        double total = 0;
        double[] sums = new double[k];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(sums, 0);
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    sums[labels[j]] += distances[Preferences.index(n, i, j)];
                }
            }
            int own = labels[i];
            if (sizes[own] == 1) {
                continue;
            }
            double a = sums[own] / (sizes[own] - 1);
            double b = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                if (c != own && sizes[c] > 0) {
                    b = Math.min(b, sums[c] / sizes[c]);
                }
            }
            double m = Math.max(a, b);
            total += m == 0 ? 0 : (b - a) / m;
        }
        return total / n;
    }

    /**
     * Random preference vectors: uniform in the box the data spans, then scaled to sum to 1 so that
     * they are preference vectors as the data are (Tibshirani et al. leave them unscaled).
     */
    private static double[][] reference(double[][] vectors, SplittableRandom random) {
        int n = vectors.length;
        int dims = vectors[0].length;
        double[] low = new double[dims];
        double[] high = new double[dims];
        java.util.Arrays.fill(low, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(high, Double.NEGATIVE_INFINITY);
        for (double[] v : vectors) {
            for (int d = 0; d < dims; d++) {
                low[d] = Math.min(low[d], v[d]);
                high[d] = Math.max(high[d], v[d]);
            }
        }
        double[][] out = new double[n][dims];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int d = 0; d < dims; d++) {
                out[i][d] = low[d] + random.nextDouble() * (high[d] - low[d]);
                sum += out[i][d];
            }
            for (int d = 0; d < dims; d++) {
                out[i][d] = sum > 0 ? out[i][d] / sum : 1.0 / dims;
            }
        }
        return out;
    }
}
