package io.strata.segmentation.models;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;
import org.hipparchus.exception.MathIllegalArgumentException;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.optim.InitialGuess;
import org.hipparchus.optim.MaxEval;
import org.hipparchus.optim.PointValuePair;
import org.hipparchus.optim.SimpleBounds;
import org.hipparchus.optim.nonlinear.scalar.GoalType;
import org.hipparchus.optim.nonlinear.scalar.ObjectiveFunction;
import org.hipparchus.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Maximises a log-likelihood over positive parameters with Hipparchus' BOBYQA (bounded, without
 * derivatives), searching their logarithms: each parameter between e^-12 and e^12. The search starts
 * again from where it ended until the log-likelihood no longer rises, as a search of a flat ridge
 * can stop early.
 */
final class MaximumLikelihood {

    /**
     * The parameters found, the log-likelihood there, how many times it was computed, and each
     * parameter's standard error (NaN where the information matrix cannot be inverted).
     */
    record Optimum(double[] parameters, double logLikelihood, int evaluations, double[] standardErrors) {}

    private static final double BOUND = 12;
    private static final int MAX_EVALUATIONS = 20_000;

    private MaximumLikelihood() {}

    /**
     * @param logLikelihood of the parameters (not their logarithms); not finite where they do not fit
     * @param start where the search begins (positive)
     */
    static Optimum maximise(ToDoubleFunction<double[]> logLikelihood, double[] start) {
        int n = start.length;
        double[] lower = new double[n];
        double[] upper = new double[n];
        Arrays.fill(lower, -BOUND);
        Arrays.fill(upper, BOUND);
        double[] point = new double[n];
        for (int i = 0; i < n; i++) {
            point[i] = Math.log(start[i]);
        }
        int[] evaluations = {0};
        ObjectiveFunction objective = new ObjectiveFunction(logs -> {
            evaluations[0]++;
            double[] parameters = new double[n];
            for (int i = 0; i < n; i++) {
                parameters[i] = Math.exp(logs[i]);
            }
            double value = logLikelihood.applyAsDouble(parameters);
            // a point outside the model's domain is the worst there is, not an error
            return Double.isFinite(value) ? value : -Double.MAX_VALUE;
        });
        double best = Double.NEGATIVE_INFINITY;
        for (int round = 0; round < 5; round++) {
            BOBYQAOptimizer optimizer = new BOBYQAOptimizer(2 * n + 1, round == 0 ? 1.0 : 0.1, 1e-10);
            PointValuePair found = optimizer.optimize(
                    new MaxEval(MAX_EVALUATIONS),
                    objective,
                    GoalType.MAXIMIZE,
                    new InitialGuess(point),
                    new SimpleBounds(lower, upper));
            boolean better = found.getValue() > best + 1e-9 * Math.max(1, Math.abs(best));
            if (found.getValue() > best) {
                best = found.getValue();
                point = found.getPoint();
            }
            if (!better) {
                break;
            }
        }
        double[] parameters = new double[n];
        for (int i = 0; i < n; i++) {
            parameters[i] = Math.exp(point[i]);
        }
        return new Optimum(parameters, best, evaluations[0], standardErrors(logLikelihood, point));
    }

    /**
     * Standard errors from the observed information: the log-likelihood's Hessian in the parameters'
     * logarithms by central differences, inverted, and carried to the parameters by the delta method
     * (se(θ) = θ · se(log θ)).
     */
    static double[] standardErrors(ToDoubleFunction<double[]> logLikelihood, double[] logs) {
        int n = logs.length;
        double h = 1e-3;
        ToDoubleFunction<double[]> f = at -> {
            double[] parameters = new double[n];
            for (int i = 0; i < n; i++) {
                parameters[i] = Math.exp(at[i]);
            }
            return logLikelihood.applyAsDouble(parameters);
        };
        double center = f.applyAsDouble(logs);
        double[][] information = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double second;
                if (i == j) {
                    second = (f.applyAsDouble(shifted(logs, i, h, i, 0))
                                    - 2 * center
                                    + f.applyAsDouble(shifted(logs, i, -h, i, 0)))
                            / (h * h);
                } else {
                    second = (f.applyAsDouble(shifted(logs, i, h, j, h))
                                    - f.applyAsDouble(shifted(logs, i, h, j, -h))
                                    - f.applyAsDouble(shifted(logs, i, -h, j, h))
                                    + f.applyAsDouble(shifted(logs, i, -h, j, -h)))
                            / (4 * h * h);
                }
                information[i][j] = -second;
                information[j][i] = -second;
            }
        }
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        try {
            RealMatrix covariance = MatrixUtils.inverse(new Array2DRowRealMatrix(information));
            for (int i = 0; i < n; i++) {
                double variance = covariance.getEntry(i, i);
                out[i] = variance > 0 ? Math.exp(logs[i]) * Math.sqrt(variance) : Double.NaN;
            }
        } catch (MathIllegalArgumentException singular) {
            // not invertible: the errors stay unknown
        }
        return out;
    }

    private static double[] shifted(double[] at, int i, double di, int j, double dj) {
        double[] out = at.clone();
        out[i] += di;
        out[j] += dj;
        return out;
    }
}
