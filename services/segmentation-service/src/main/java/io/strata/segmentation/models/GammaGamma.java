package io.strata.segmentation.models;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.hipparchus.special.Gamma;

/**
 * The Gamma-Gamma model of spend per transaction (Fader, Hardie and Lee, "RFM and CLV", 2005): a
 * customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, independent
 * of how often they buy. Fitted on the repeat buyers' number of repeat transactions and their mean
 * value; it gives each customer's expected spend per transaction.
 */
public final class GammaGamma {

    /** The model's three parameters ({@code gamma} is the rate γ of ν's Gamma distribution). */
    public record Params(double p, double q, double gamma) {
        public Params {
            if (!(p > 0 && q > 0 && gamma > 0)) {
                throw new IllegalArgumentException("p, q and gamma must be positive: " + p + ", " + q + ", " + gamma);
            }
        }
    }

    /** A fit: its parameters, the log-likelihood there, the repeat buyers it saw and the work it took. */
    /** The fit; {@code standardErrors} in the parameters' order (NaN where not known). */
    public record Fit(Params params, double logLikelihood, long customers, int evaluations, double[] standardErrors) {}

    private GammaGamma() {}

    /**
     * The parameters of the greatest likelihood of the repeat buyers among these customers (those
     * with {@code x > 0} and a positive mean value; the others are left out).
     *
     * @throws IllegalArgumentException with fewer than two such customers
     */
    public static Fit fit(List<CustomerSummary> customers) {
        Data data = new Data(customers);
        if (data.count < 2) {
            throw new IllegalArgumentException(
                    "customers: " + data.count + " repeat buyers with a positive spend, at least 2 are needed");
        }
        MaximumLikelihood.Optimum optimum =
                MaximumLikelihood.maximise(v -> data.logLikelihood(v[0], v[1], v[2]), new double[] {1, 1, 1});
        double[] v = optimum.parameters();
        return new Fit(
                new Params(v[0], v[1], v[2]),
                optimum.logLikelihood(),
                data.count,
                optimum.evaluations(),
                optimum.standardErrors());
    }

    /** The log-likelihood of the repeat buyers among these customers under the parameters. */
    public static double logLikelihood(Params params, List<CustomerSummary> customers) {
        return new Data(customers).logLikelihood(params.p(), params.q(), params.gamma());
    }

    /**
     * A customer's expected spend per transaction: their own mean weighed against the population's
     * ({@code p γ / (q − 1)}, which a customer without repeat transactions gets).
     */
    public static double expectedSpend(Params params, int x, double monetary) {
        double p = params.p();
        double q = params.q();
        double gamma = params.gamma();
        if (x == 0) {
            return p * gamma / (q - 1);
        }
        return (p * gamma + p * x * monetary) / (p * x + q - 1);
    }

    private static final class Data {
        final int count;
        final int[] xs;
        final int[] xIndex;
        final double[] x;
        final double[] m;
        final double[] logX;
        final double[] logM;

        Data(List<CustomerSummary> customers) {
            List<CustomerSummary> repeat = new ArrayList<>();
            TreeMap<Integer, Integer> distinct = new TreeMap<>();
            for (CustomerSummary c : customers) {
                if (c.x() > 0 && c.monetary() > 0) {
                    repeat.add(c);
                    distinct.put(c.x(), 0);
                }
            }
            count = repeat.size();
            xs = distinct.keySet().stream().mapToInt(Integer::intValue).toArray();
            for (int i = 0; i < xs.length; i++) {
                distinct.put(xs[i], i);
            }
            xIndex = new int[count];
            x = new double[count];
            m = new double[count];
            logX = new double[count];
            logM = new double[count];
            for (int i = 0; i < count; i++) {
                CustomerSummary c = repeat.get(i);
                xIndex[i] = distinct.get(c.x());
                x[i] = c.x();
                m[i] = c.monetary();
                logX[i] = Math.log(c.x());
                logM[i] = Math.log(c.monetary());
            }
        }

        double logLikelihood(double p, double q, double gamma) {
            double[] base = new double[xs.length];
            double shared = -Gamma.logGamma(q) + q * Math.log(gamma);
            for (int k = 0; k < xs.length; k++) {
                double px = p * xs[k];
                base[k] = shared + Gamma.logGamma(px + q) - Gamma.logGamma(px);
            }
            double sum = 0;
            for (int i = 0; i < count; i++) {
                double px = p * x[i];
                sum += base[xIndex[i]] + (px - 1) * logM[i] + px * logX[i] - (px + q) * Math.log(x[i] * m[i] + gamma);
            }
            return sum;
        }
    }
}
