package dev.kclip.concepts.lifecycle;

import dev.kclip.concepts.kmeans.Kernel;
import java.util.List;

/**
 * τ re-estimated so the soft labels keep a target sharpness: the τ at which the mean entropy of the labels of
 * some records equals the target. The entropy of a kernel's label grows with τ, so a bisection on log τ finds it.
 */
public final class Temperature {

    /** Bisection steps on log τ (each halves the interval; 60 reach double precision over e^±20). */
    private static final int STEPS = 60;
    /** How far (in e-folds) from the current τ the search looks. */
    private static final double RANGE = 20;

    private Temperature() {
    }

    /** The entropy (nats) of one label. */
    public static double entropy(float[] p) {
        double h = 0;
        for (float v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return h;
    }

    /** The mean entropy of the labels {@code kernel} gives the rows of d² at temperature {@code tau}. */
    public static double meanEntropy(List<double[]> squaredDistances, Kernel kernel, double tau) {
        double sum = 0;
        for (double[] d2 : squaredDistances) {
            sum += entropy(kernel.probabilities(d2, tau));
        }
        return sum / squaredDistances.size();
    }

    /**
     * The τ whose labels of {@code squaredDistances} (one row of d² to every concept per record, +∞ for free rows)
     * have mean entropy {@code target}, searched within e^±20 of {@code current}; {@code current} when the target is
     * out of that reach.
     */
    public static double forEntropy(List<double[]> squaredDistances, Kernel kernel, double target, double current) {
        if (squaredDistances.isEmpty()) {
            throw new IllegalArgumentException("need at least one record to estimate the temperature");
        }
        double lo = Math.log(current) - RANGE;
        double hi = Math.log(current) + RANGE;
        // out of reach (e.g. a target above log K after concepts retired): τ stays, since moving it to a bound at
        // every update would compound to 0 or ∞
        if (meanEntropy(squaredDistances, kernel, Math.exp(hi)) < target
                || meanEntropy(squaredDistances, kernel, Math.exp(lo)) > target) {
            return current;
        }
        for (int step = 0; step < STEPS; step++) {
            double mid = (lo + hi) / 2;
            if (meanEntropy(squaredDistances, kernel, Math.exp(mid)) < target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.exp((lo + hi) / 2);
    }
}
