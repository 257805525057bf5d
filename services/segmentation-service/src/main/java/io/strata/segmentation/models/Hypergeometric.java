package io.strata.segmentation.models;

/** The Gauss hypergeometric function ₂F₁, as the BG/NBD expectations need it (0 ≤ z < 1). */
final class Hypergeometric {

    private static final int MAX_TERMS = 1_000_000;

    private Hypergeometric() {}

    /**
     * ₂F₁(a, b; c; z) by its power series, summed until a term no longer changes the sum.
     *
     * @throws IllegalArgumentException for z outside [0, 1), where the series is not summed here
     */
    static double f21(double a, double b, double c, double z) {
        if (!(z >= 0 && z < 1)) {
            throw new IllegalArgumentException("z must be in [0, 1), was " + z);
        }
        double term = 1;
        double sum = 1;
        for (int n = 0; n < MAX_TERMS; n++) {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            double next = sum + term;
            if (next == sum) {
                return sum;
            }
            sum = next;
        }
        throw new ArithmeticException("2F1(" + a + ", " + b + "; " + c + "; " + z + ") does not converge");
    }
}
