package io.strata.segmentation.models;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.hipparchus.random.RandomDataGenerator;

/**
 * Customers drawn from the BG/NBD and Gamma-Gamma models with known parameters: what a fit must
 * find again (within its sampling error), and the benchmark's data at any size. Reproducible for
 * one seed.
 */
public final class Simulation {

    private Simulation() {}

    /**
     * @param firstFrom the earliest first purchase's time to the end of the calibration ({@code T})
     * @param firstTo the latest one's (customers' {@code T} are uniform between the two)
     */
    public static List<CustomerSummary> customers(
            BgNbd.Params purchases, GammaGamma.Params spend, int count, double firstFrom, double firstTo, long seed) {
        if (count < 0 || !(firstTo >= 0) || !(firstFrom >= firstTo)) {
            throw new IllegalArgumentException("count must not be negative and firstFrom ≥ firstTo ≥ 0: " + count + ", "
                    + firstFrom + ", " + firstTo);
        }
        RandomDataGenerator random = new RandomDataGenerator(seed);
        List<CustomerSummary> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            double T = firstTo + random.nextDouble() * (firstFrom - firstTo);
            // a purchase rate and a chance to drop out after each repeat purchase, per customer
            double lambda = random.nextGamma(purchases.r(), 1 / purchases.alpha());
            double drop = random.nextBeta(purchases.a(), purchases.b());
            int x = 0;
            double t = 0;
            double tx = 0;
            while (true) {
                t += random.nextExponential(1 / lambda);
                if (t > T) {
                    break;
                }
                x++;
                tx = t;
                if (random.nextDouble() < drop) {
                    break;
                }
            }
            double monetary = 0;
            if (x > 0) {
                // values Gamma(p, ν) with ν ~ Gamma(q, γ): their mean over x repeat transactions
                double nu = random.nextGamma(spend.q(), 1 / spend.gamma());
                double sum = 0;
                for (int k = 0; k < x; k++) {
                    sum += random.nextGamma(spend.p(), 1 / nu);
                }
                monetary = sum / x;
            }
            out.add(new CustomerSummary(Integer.toString(i), x, tx, T, monetary));
        }
        return out;
    }

    /**
     * Purchases of customers drawn from the models, day by day, up to the end of the calibration:
     * each customer's first purchase on a day of the first {@code cohortDays} from {@code start},
     * times in weeks as the parameters' unit, values in cents.
     */
    public static void purchases(
            BgNbd.Params purchases,
            GammaGamma.Params spend,
            int count,
            LocalDate start,
            int cohortDays,
            LocalDate calibrationEnd,
            long seed,
            Consumer<Purchase> out) {
        if (count < 0 || cohortDays < 1 || !start.plusDays(cohortDays).isBefore(calibrationEnd.plusDays(1))) {
            throw new IllegalArgumentException("count must not be negative and the cohort must end before the"
                    + " calibration: " + count + ", " + start + " + " + cohortDays + " days, " + calibrationEnd);
        }
        RandomDataGenerator random = new RandomDataGenerator(seed);
        long days = calibrationEnd.toEpochDay() - start.toEpochDay();
        for (int i = 0; i < count; i++) {
            String id = Integer.toString(i + 1);
            long first = random.nextInt(0, cohortDays - 1);
            double lambda = random.nextGamma(purchases.r(), 1 / purchases.alpha());
            double drop = random.nextBeta(purchases.a(), purchases.b());
            double nu = random.nextGamma(spend.q(), 1 / spend.gamma());
            double weeks = first / 7.0;
            out.accept(new Purchase(id, start.plusDays(first), value(random, spend, nu)));
            while (true) {
                weeks += random.nextExponential(1 / lambda);
                long day = (long) Math.floor(weeks * 7);
                if (day > days) {
                    break;
                }
                out.accept(new Purchase(id, start.plusDays(day), value(random, spend, nu)));
                if (random.nextDouble() < drop) {
                    break;
                }
            }
        }
    }

    private static double value(RandomDataGenerator random, GammaGamma.Params spend, double nu) {
        return Math.max(0.01, Math.round(random.nextGamma(spend.p(), 1 / nu) * 100) / 100.0);
    }
}
