package dev.kclip.concepts.kmeans;

import java.util.Arrays;
import java.util.Locale;

/**
 * Turns the squared distances of a vector to the K centroids into a soft concept label (a probability
 * distribution over the concepts), with a temperature τ in the units of d².
 */
public enum Kernel {
    /** {@code p_k ∝ exp(−d_k² / τ)}: a softmax over negative squared distances. */
    GAUSSIAN,
    /** {@code p_k ∝ (1 + d_k² / τ)^−1}: Student's t with one degree of freedom, as in DEC; heavier tails. */
    STUDENT_T;

    /**
     * The soft label for squared distances {@code d2} (length K) at temperature {@code tau} &gt; 0. The values are
     * non-negative and sum to 1 (to float precision).
     */
    public float[] probabilities(double[] d2, double tau) {
        if (!(tau > 0) || !Double.isFinite(tau)) {
            throw new IllegalArgumentException("temperature must be positive and finite, not " + tau);
        }
        double[] weight = new double[d2.length];
        double sum = 0;
        if (this == GAUSSIAN) {
            // shift by the smallest distance so the largest weight is exp(0) and nothing underflows to all zeros
            double min = Double.POSITIVE_INFINITY;
            for (double d : d2) {
                min = Math.min(min, d);
            }
            for (int k = 0; k < d2.length; k++) {
                weight[k] = Math.exp(-(d2[k] - min) / tau);
                sum += weight[k];
            }
        } else {
            for (int k = 0; k < d2.length; k++) {
                weight[k] = 1.0 / (1.0 + d2[k] / tau);
                sum += weight[k];
            }
        }
        float[] p = new float[d2.length];
        for (int k = 0; k < d2.length; k++) {
            p[k] = (float) (weight[k] / sum);
        }
        return p;
    }

    /**
     * τ from the data, as the bootstrap sets it: the median of the squared distances of the bootstrap vectors to
     * their nearest centroid (so a typical member is one τ from its own centroid). Falls back to the mean, then to
     * a tiny positive value, when the median is zero (duplicate points).
     */
    public static double temperatureFromData(double[] nearestSquaredDistances) {
        if (nearestSquaredDistances.length == 0) {
            throw new IllegalArgumentException("need at least one distance to set the temperature");
        }
        double[] sorted = nearestSquaredDistances.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        if (median > 0) {
            return median;
        }
        double mean = Arrays.stream(sorted).average().orElse(0);
        return mean > 0 ? mean : 1e-12;
    }

    /** Parses {@code gaussian}/{@code student_t} in any case. */
    public static Kernel parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kernel must be GAUSSIAN or STUDENT_T, not " + name, e);
        }
    }
}
