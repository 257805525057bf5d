package io.strata.demo;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.core.source64.SplitMix64;
import org.apache.commons.rng.sampling.distribution.GuideTableDiscreteSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;

/** A fixed categorical distribution over 0..n-1, drawn with any consumer's generator. */
final class Weighted {

    private final double[] probabilities;
    private final SharedStateDiscreteSampler prototype;

    Weighted(double... weights) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        probabilities = new double[weights.length];
        for (int i = 0; i < weights.length; i++) {
            probabilities[i] = weights[i] / sum;
        }
        // the prototype's own generator is never used: each draw binds the caller's
        prototype = GuideTableDiscreteSampler.of(new SplitMix64(0L), probabilities);
    }

    int pick(UniformRandomProvider rng) {
        return prototype.withUniformRandomProvider(rng).sample();
    }

    double probability(int i) {
        return probabilities[i];
    }
}
