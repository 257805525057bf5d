package io.strata.segmentation.models;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hipparchus.special.Gamma;

/**
 * The BG/NBD model (Fader, Hardie and Lee, "Counting Your Customers the Easy Way", 2005): while
 * alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they drop out with
 * probability p ~ Beta(a, b). Fitted by maximum likelihood on customers' (x, tx, T); it gives each
 * customer's expected purchases over a horizon and the probability of still being alive.
 */
public final class BgNbd {

    /** The model's four parameters. */
    public record Params(double r, double alpha, double a, double b) {
        public Params {
            if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) {
                throw new IllegalArgumentException(
                        "r, alpha, a and b must be positive: " + r + ", " + alpha + ", " + a + ", " + b);
            }
        }
    }

    /** A fit: its parameters, the log-likelihood there, the customers it saw and the work it took. */
    /** The fit; {@code standardErrors} in the parameters' order (NaN where not known). */
    public record Fit(Params params, double logLikelihood, long customers, int evaluations, double[] standardErrors) {}

    private BgNbd() {}

    /**
     * The parameters of the greatest likelihood of these customers.
     *
     * @throws IllegalArgumentException without customers, or without a repeat purchase among them
     */
    public static Fit fit(List<CustomerSummary> customers) {
        Data data = new Data(customers);
        if (data.customers == 0) {
            throw new IllegalArgumentException("customers: none to fit");
        }
        if (data.repeaters == 0) {
            throw new IllegalArgumentException("customers: none made a repeat purchase, the model cannot be fitted");
        }
        MaximumLikelihood.Optimum optimum =
                MaximumLikelihood.maximise(p -> data.logLikelihood(p[0], p[1], p[2], p[3]), new double[] {1, 1, 1, 1});
        double[] p = optimum.parameters();
        return new Fit(
                new Params(p[0], p[1], p[2], p[3]),
                optimum.logLikelihood(),
                data.customers,
                optimum.evaluations(),
                optimum.standardErrors());
    }

    /** The log-likelihood of the customers under the parameters. */
    public static double logLikelihood(Params params, List<CustomerSummary> customers) {
        return new Data(customers).logLikelihood(params.r(), params.alpha(), params.a(), params.b());
    }

    /**
     * The purchases a customer is expected to make in the next {@code t} (equation 10 of the paper).
     */
    public static double expectedPurchases(Params params, double t, int x, double tx, double T) {
        double r = params.r();
        double alpha = params.alpha();
        double a = params.a();
        double b = params.b();
        if (t <= 0) {
            return 0;
        }
        double z = t / (alpha + T + t);
        // ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z), by Euler's transformation
        // (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z): the same value, finite for many purchases
        // (where a and b are large, nobody drops out, the transformed series overflows while the
        // direct one converges at once: then the direct one)
        double numerator;
        try {
            numerator = 1 - Math.pow(1 - z, a - 1) * Hypergeometric.f21(a + b - 1 - r, a - 1, a + b + x - 1, z);
        } catch (ArithmeticException e) {
            numerator = Double.NaN;
        }
        if (!Double.isFinite(numerator)) {
            numerator = 1 - Math.pow(1 - z, r + x) * Hypergeometric.f21(r + x, b + x, a + b + x - 1, z);
        }
        double denominator = 1 + (x > 0 ? a / (b + x - 1) * Math.pow((alpha + T) / (alpha + tx), r + x) : 0);
        return (a + b + x - 1) / (a - 1) * numerator / denominator;
    }

    /** The probability that a customer with this history has not dropped out. */
    public static double probabilityAlive(Params params, int x, double tx, double T) {
        if (x == 0) {
            return 1;
        }
        double r = params.r();
        double alpha = params.alpha();
        return 1 / (1 + params.a() / (params.b() + x - 1) * Math.pow((alpha + T) / (alpha + tx), r + x));
    }

    /** The purchases a new customer is expected to make in a period of length {@code t}. */
    public static double expectedPurchasesNew(Params params, double t) {
        double r = params.r();
        double alpha = params.alpha();
        double a = params.a();
        double b = params.b();
        double hyp = Hypergeometric.f21(r, b, a + b - 1, t / (alpha + t));
        return (a + b - 1) / (a - 1) * (1 - Math.pow(alpha / (alpha + t), r) * hyp);
    }

    /**
     * The customers in arrays, equal (x, tx, T) counted once with a weight, and every distinct x,
     * tx and T indexed, so a likelihood computes each Gamma function once per x and each logarithm
     * once per distinct time.
     */
    private static final class Data {
        final long customers;
        final long repeaters;
        final int[] xs;
        final double[] times;
        final int[] xIndex;
        final int[] txIndex;
        final int[] tIndex;
        final double[] weight;

        Data(List<CustomerSummary> summaries) {
            record Key(int x, double tx, double T) {}
            Map<Key, Integer> rows = new HashMap<>();
            TreeMap<Integer, Integer> distinctX = new TreeMap<>();
            TreeMap<Double, Integer> distinctTimes = new TreeMap<>();
            long repeat = 0;
            for (CustomerSummary c : summaries) {
                rows.merge(new Key(c.x(), c.tx(), c.T()), 1, Integer::sum);
                distinctX.put(c.x(), 0);
                distinctTimes.put(c.tx(), 0);
                distinctTimes.put(c.T(), 0);
                repeat += c.x() > 0 ? 1 : 0;
            }
            customers = summaries.size();
            repeaters = repeat;
            xs = distinctX.keySet().stream().mapToInt(Integer::intValue).toArray();
            for (int i = 0; i < xs.length; i++) {
                distinctX.put(xs[i], i);
            }
            times = distinctTimes.keySet().stream()
                    .mapToDouble(Double::doubleValue)
                    .toArray();
            for (int i = 0; i < times.length; i++) {
                distinctTimes.put(times[i], i);
            }
            int n = rows.size();
            xIndex = new int[n];
            txIndex = new int[n];
            tIndex = new int[n];
            weight = new double[n];
            int i = 0;
            for (var row : rows.entrySet()) {
                Key key = row.getKey();
                xIndex[i] = distinctX.get(key.x());
                txIndex[i] = distinctTimes.get(key.tx());
                tIndex[i] = distinctTimes.get(key.T());
                weight[i] = row.getValue();
                i++;
            }
        }

        double logLikelihood(double r, double alpha, double a, double b) {
            double[] base = new double[xs.length];
            double[] repeat = new double[xs.length];
            double shared = r * Math.log(alpha) - Gamma.logGamma(r) + Gamma.logGamma(a + b) - Gamma.logGamma(b);
            for (int k = 0; k < xs.length; k++) {
                int x = xs[k];
                base[k] = shared + Gamma.logGamma(r + x) + Gamma.logGamma(b + x) - Gamma.logGamma(a + b + x);
                repeat[k] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : Double.NaN;
            }
            double[] logTimes = new double[times.length];
            for (int k = 0; k < times.length; k++) {
                logTimes[k] = Math.log(alpha + times[k]);
            }
            double sum = 0;
            for (int i = 0; i < weight.length; i++) {
                int k = xIndex[i];
                int x = xs[k];
                double alive = -(r + x) * logTimes[tIndex[i]];
                double term;
                if (x == 0) {
                    term = alive;
                } else {
                    double gone = repeat[k] - (r + x) * logTimes[txIndex[i]];
                    double high = Math.max(alive, gone);
                    term = high + Math.log1p(Math.exp(-Math.abs(alive - gone)));
                }
                sum += weight[i] * (base[k] + term);
            }
            return sum;
        }
    }
}
