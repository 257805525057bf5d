package io.strata.segmentation.crowds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.CholeskyDecomposition;
import org.hipparchus.linear.RealVector;

/**
 * Look-alike expansion from a seed audience (the core crowd) over profiles described by numeric
 * features (tags as 0/1, behaviour as counts or amounts): each profile scored by how much it
 * resembles the seeds, and the quality of an expansion measured by hiding seeds.
 *
 * <ul>
 *   <li>{@link Method#CENTROID}: the cosine similarity of the profile's standardised features to
 *       the seeds' mean (fast, no fitting).
 *   <li>{@link Method#POSITIVE_UNLABELED}: Elkan and Noto (2008). The other profiles are
 *       unlabeled, not negative: a logistic regression (L2, by Newton's method) fitted on four
 *       fifths of the profiles tells seeds from the unlabeled, g(x) ≈ P(seed | x), which ranks the
 *       profiles as P(like a seed | x) does; the seeds of the fifth left give c = mean g over them,
 *       Elkan and Noto's estimate of the share of seed-like profiles that are seeds. c (and with it
 *       any probability made from g) is only as good as g's calibration: a logistic model cannot
 *       level off at c, so where the seeds are a small share of a clearly separated kind c comes out
 *       low. The expansion therefore takes the top of the ranking, and its quality is measured by
 *       hiding seeds ({@link #quality}), not by probabilities made from g.
 * </ul>
 */
public final class Lookalike {

    private Lookalike() {}

    public enum Method {
        CENTROID,
        POSITIVE_UNLABELED
    }

    /**
     * The scores of every profile (higher: more like the seeds).
     *
     * @param c positive-unlabeled learning's estimate of the share of seed-like profiles that are
     *     seeds (indicative, see above); NaN for the centroid
     */
    public record Expansion(double[] scores, double c) {}

    /**
     * The quality of an expansion: a share of the seeds hidden among the others, the rest used as
     * seeds, the non-seeds ranked by score.
     *
     * @param hidden the seeds hidden
     * @param found the hidden seeds among the top k
     * @param recallAtK found / hidden
     * @param baseRate hidden / profiles ranked
     * @param liftAtK (found / k) / baseRate
     */
    public record Quality(
            int hidden, int ranked, int k, int found, double recallAtK, double baseRate, double liftAtK) {}

    /** The L2 penalty of the logistic regression, on standardised features. */
    static final double RIDGE = 1.0;

    /** The most unlabeled profiles the classifier fits on (a seeded sample past that, weighted). */
    static final int MOST_UNLABELED = 100_000;

    public static Expansion expand(double[][] features, boolean[] seeds, Method method, long randomSeed) {
        int n = features.length;
        if (seeds.length != n) {
            throw new IllegalArgumentException(n + " profiles, " + seeds.length + " seed flags");
        }
        int seedCount = 0;
        for (boolean s : seeds) {
            seedCount += s ? 1 : 0;
        }
        if (seedCount == 0) {
            throw new IllegalArgumentException("no seeds");
        }
        double[][] x = standardised(features);
        return switch (method) {
            case CENTROID -> new Expansion(centroid(x, seeds), Double.NaN);
            case POSITIVE_UNLABELED -> positiveUnlabeled(x, seeds, seedCount, randomSeed);
        };
    }

    /**
     * Hides {@code hiddenShare} of the seeds (chosen by {@code randomSeed}), expands from the rest,
     * and counts the hidden seeds among the k best-scored non-seeds.
     */
    public static Quality quality(
            double[][] features, boolean[] seeds, Method method, double hiddenShare, int k, long randomSeed) {
        if (!(hiddenShare > 0 && hiddenShare < 1)) {
            throw new IllegalArgumentException("hidden share must lie in (0, 1), was " + hiddenShare);
        }
        int n = features.length;
        List<Integer> seedRows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (seeds[i]) {
                seedRows.add(i);
            }
        }
        SplittableRandom random = new SplittableRandom(randomSeed);
        shuffle(seedRows, random);
        int hide = (int) Math.round(seedRows.size() * hiddenShare);
        if (hide < 1 || hide >= seedRows.size()) {
            throw new IllegalArgumentException("too few seeds (" + seedRows.size() + ") to hide a share of them");
        }
        boolean[] kept = seeds.clone();
        boolean[] hidden = new boolean[n];
        for (int i = 0; i < hide; i++) {
            kept[seedRows.get(i)] = false;
            hidden[seedRows.get(i)] = true;
        }
        double[] scores = expand(features, kept, method, random.nextLong()).scores();
        Integer[] ranked = rankedNonSeeds(scores, kept);
        int top = Math.min(k, ranked.length);
        if (top < 1) {
            throw new IllegalArgumentException("k must be ≥ 1, was " + k);
        }
        int found = 0;
        for (int i = 0; i < top; i++) {
            found += hidden[ranked[i]] ? 1 : 0;
        }
        double baseRate = (double) hide / ranked.length;
        return new Quality(
                hide, ranked.length, top, found, (double) found / hide, baseRate, ((double) found / top) / baseRate);
    }

    /** The profiles that are not seeds, best score first (ties: the lower row first). */
    public static Integer[] rankedNonSeeds(double[] scores, boolean[] seeds) {
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            if (!seeds[i]) {
                rows.add(i);
            }
        }
        Integer[] out = rows.toArray(Integer[]::new);
        Arrays.sort(out, (a, b) -> {
            int byScore = Double.compare(scores[b], scores[a]);
            return byScore != 0 ? byScore : Integer.compare(a, b);
        });
        return out;
    }

    private static double[] centroid(double[][] x, boolean[] seeds) {
        int dims = x.length == 0 ? 0 : x[0].length;
        double[] mean = new double[dims];
        int count = 0;
        for (int i = 0; i < x.length; i++) {
            if (seeds[i]) {
                count++;
                for (int d = 0; d < dims; d++) {
                    mean[d] += x[i][d];
                }
            }
        }
        for (int d = 0; d < dims; d++) {
            mean[d] /= count;
        }
        double[] scores = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            scores[i] = Preferences.cosineSimilarity(x[i], mean);
        }
        return scores;
    }

    private static Expansion positiveUnlabeled(double[][] x, boolean[] seeds, int seedCount, long randomSeed) {
        int n = x.length;
        SplittableRandom random = new SplittableRandom(randomSeed);
        // Elkan and Noto: fit on four fifths of the profiles, estimate c on the seeds of the fifth left
        List<Integer> rowsInOrder = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rowsInOrder.add(i);
        }
        shuffle(rowsInOrder, random);
        int validation = n / 5;
        List<Integer> calibration = new ArrayList<>();
        List<Integer> positives = new ArrayList<>();
        List<Integer> unlabeled = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int i = rowsInOrder.get(r);
            if (r < validation) {
                if (seeds[i]) {
                    calibration.add(i);
                }
            } else {
                (seeds[i] ? positives : unlabeled).add(i);
            }
        }
        if (calibration.isEmpty() || positives.isEmpty()) {
            // too few seeds to split: fit on all, and c from the seeds fitted on (an overestimate)
            calibration.clear();
            positives.clear();
            unlabeled.clear();
            for (int i = 0; i < n; i++) {
                (seeds[i] ? positives : unlabeled).add(i);
            }
            calibration.addAll(positives);
        }
        double unlabeledWeight = 1;
        List<Integer> fitUnlabeled = unlabeled;
        if (unlabeled.size() > MOST_UNLABELED) {
            fitUnlabeled = new ArrayList<>(unlabeled);
            shuffle(fitUnlabeled, random);
            fitUnlabeled = fitUnlabeled.subList(0, MOST_UNLABELED);
            unlabeledWeight = (double) unlabeled.size() / MOST_UNLABELED;
        }
        int rows = positives.size() + fitUnlabeled.size();
        double[][] fitX = new double[rows][];
        double[] y = new double[rows];
        double[] w = new double[rows];
        int r = 0;
        for (int i : positives) {
            fitX[r] = x[i];
            y[r] = 1;
            w[r++] = 1;
        }
        for (int i : fitUnlabeled) {
            fitX[r] = x[i];
            y[r] = 0;
            w[r++] = unlabeledWeight;
        }
        double[] beta = logistic(fitX, y, w, RIDGE);
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = sigmoid(linear(beta, x[i]));
        }
        double sum = 0;
        for (int i : calibration) {
            sum += g[i];
        }
        return new Expansion(g, sum / calibration.size());
    }

    /**
     * An L2-penalised logistic regression (the intercept unpenalised) by Newton's method:
     * coefficients with the intercept first.
     */
    static double[] logistic(double[][] x, double[] y, double[] weights, double ridge) {
        int dims = x.length == 0 ? 0 : x[0].length;
        int p = dims + 1;
        double[] beta = new double[p];
        for (int iteration = 0; iteration < 50; iteration++) {
            double[][] hessian = new double[p][p];
            double[] gradient = new double[p];
            for (int i = 0; i < x.length; i++) {
                double mu = sigmoid(linear(beta, x[i]));
                double residual = weights[i] * (y[i] - mu);
                double curvature = weights[i] * Math.max(mu * (1 - mu), 1e-10);
                gradient[0] += residual;
                hessian[0][0] += curvature;
                for (int a = 0; a < dims; a++) {
                    double xa = x[i][a];
                    gradient[a + 1] += residual * xa;
                    hessian[0][a + 1] += curvature * xa;
                    for (int b = a; b < dims; b++) {
                        hessian[a + 1][b + 1] += curvature * xa * x[i][b];
                    }
                }
            }
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < a; b++) {
                    hessian[a][b] = hessian[b][a];
                }
            }
            for (int a = 1; a < p; a++) {
                hessian[a][a] += ridge;
                gradient[a] -= ridge * beta[a];
            }
            RealVector step = new CholeskyDecomposition(new Array2DRowRealMatrix(hessian, false), 1e-12, 1e-14)
                    .getSolver()
                    .solve(new ArrayRealVector(gradient, false));
            double largest = 0;
            for (int a = 0; a < p; a++) {
                beta[a] += step.getEntry(a);
                largest = Math.max(largest, Math.abs(step.getEntry(a)));
            }
            if (largest < 1e-8) {
                break;
            }
        }
        return beta;
    }

    private static double linear(double[] beta, double[] x) {
        double z = beta[0];
        for (int a = 0; a < x.length; a++) {
            z += beta[a + 1] * x[a];
        }
        return z;
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** Each feature centred and scaled to unit variance over all profiles (a constant one: 0). */
    static double[][] standardised(double[][] features) {
        int n = features.length;
        int dims = n == 0 ? 0 : features[0].length;
        double[] mean = new double[dims];
        double[] sd = new double[dims];
        for (double[] row : features) {
            if (row.length != dims) {
                throw new IllegalArgumentException("every profile needs " + dims + " features");
            }
            for (int d = 0; d < dims; d++) {
                if (!Double.isFinite(row[d])) {
                    throw new IllegalArgumentException("features must be finite, was " + row[d]);
                }
                mean[d] += row[d];
            }
        }
        for (int d = 0; d < dims; d++) {
            mean[d] /= n;
        }
        for (double[] row : features) {
            for (int d = 0; d < dims; d++) {
                sd[d] += (row[d] - mean[d]) * (row[d] - mean[d]);
            }
        }
        double[][] out = new double[n][dims];
        for (int d = 0; d < dims; d++) {
            sd[d] = Math.sqrt(sd[d] / n);
        }
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dims; d++) {
                out[i][d] = sd[d] == 0 ? 0 : (features[i][d] - mean[d]) / sd[d];
            }
        }
        return out;
    }

    private static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
