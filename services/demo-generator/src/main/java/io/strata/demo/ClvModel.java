package io.strata.demo;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.AhrensDieterMarsagliaTsangGammaSampler;
import org.apache.commons.rng.sampling.distribution.ChengBetaSampler;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;

/**
 * The purchase process, with the domain guide's parameterisation (time in weeks).
 *
 * <p>BG/NBD (Fader, Hardie and Lee 2005): while alive, a buyer purchases at rate
 * λ ~ Gamma(shape r, rate α); after every repeat purchase the buyer drops out with probability
 * p ~ Beta(a, b) (so a buyer without repeat purchases is alive). Time 0 is the buyer's first
 * purchase; X(t) counts the repeat purchases in (0, t].
 *
 * <p>Gamma-Gamma: a buyer's spend per order is Gamma(shape p, rate ν), ν ~ Gamma(shape q,
 * rate γ), independent of the purchase process; the population mean spend is pγ/(q-1).
 */
final class ClvModel {

    record BgNbd(double r, double alpha, double a, double b) {

        /** E[X(t)] for a buyer drawn from the population, t in weeks. */
        double expectedRepeats(double t) {
            double z = t / (alpha + t);
            return (a + b - 1) / (a - 1) * (1 - Math.pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1, z));
        }
    }

    record GammaGamma(double p, double q, double gamma) {

        /** E[spend per order] = pγ/(q-1). */
        double meanSpend() {
            return p * gamma / (q - 1);
        }
    }

    /** A consumer brand with a loyal core: about 4.7 purchases a year while alive, a 19 % dropout per purchase. */
    static final BgNbd BG_NBD = new BgNbd(0.9, 10, 0.85, 3.5);
    /** About 180 CNY per order on average. */
    static final GammaGamma GAMMA_GAMMA = new GammaGamma(6, 4, 90);

    private ClvModel() {}

    /** One buyer's draws. */
    record Buyer(double lambda, double dropout, double nu) {

        static Buyer draw(UniformRandomProvider rng) {
            double lambda = AhrensDieterMarsagliaTsangGammaSampler.of(rng, BG_NBD.r(), 1 / BG_NBD.alpha())
                    .sample();
            double dropout = ChengBetaSampler.of(rng, BG_NBD.a(), BG_NBD.b()).sample();
            double nu = AhrensDieterMarsagliaTsangGammaSampler.of(rng, GAMMA_GAMMA.q(), 1 / GAMMA_GAMMA.gamma())
                    .sample();
            return new Buyer(lambda, dropout, nu);
        }

        /** Weeks to the next purchase. */
        double nextGap(UniformRandomProvider rng) {
            return ZigguratSampler.Exponential.of(rng, 1 / lambda).sample();
        }

        boolean dropsOut(UniformRandomProvider rng) {
            return rng.nextDouble() < dropout;
        }

        /** The spend of one order, CNY. */
        double spend(UniformRandomProvider rng) {
            return AhrensDieterMarsagliaTsangGammaSampler.of(rng, GAMMA_GAMMA.p(), 1 / nu)
                    .sample();
        }
    }

    /**
     * Gauss's hypergeometric function ₂F₁(a, b; c; z) by its series, for 0 <= z < 1 (no library
     * of the build has it).
     */
    static double hyp2f1(double a, double b, double c, double z) {
        if (z < 0 || z >= 1) {
            throw new IllegalArgumentException("z must be in [0, 1)");
        }
        double term = 1;
        double sum = 1;
        for (int n = 0; n < 1_000_000; n++) {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            sum += term;
            if (Math.abs(term) < 1e-15 * Math.abs(sum)) {
                return sum;
            }
        }
        return sum;
    }
}
