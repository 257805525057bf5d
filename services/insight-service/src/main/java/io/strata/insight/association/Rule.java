package io.strata.insight.association;

/**
 * An association rule X → Y over {@code n} baskets, X and Y disjoint and not empty:
 *
 * <ul>
 *   <li>support = P(X ∪ Y) = count / n
 *   <li>confidence = P(Y | X) = count / count(X)
 *   <li>lift = confidence / P(Y)
 *   <li>leverage = P(X ∪ Y) − P(X)·P(Y)
 *   <li>conviction = (1 − P(Y)) / (1 − confidence), infinite when the confidence is 1
 * </ul>
 */
public record Rule(int[] antecedent, int[] consequent, int count, int antecedentCount, int consequentCount, int n) {

    public double support() {
        return (double) count / n;
    }

    public double confidence() {
        return (double) count / antecedentCount;
    }

    public double lift() {
        return confidence() / ((double) consequentCount / n);
    }

    public double leverage() {
        return support() - ((double) antecedentCount / n) * ((double) consequentCount / n);
    }

    public double conviction() {
        double confidence = confidence();
        return confidence >= 1.0 ? Double.POSITIVE_INFINITY : (1.0 - (double) consequentCount / n) / (1.0 - confidence);
    }

    /** Items on both sides: the rule's length as association-rule tools count it. */
    public int length() {
        return antecedent.length + consequent.length;
    }
}
