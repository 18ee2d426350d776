package dev.kclip.concepts.drift;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Maximum mean discrepancy between two samples of embeddings (Gretton et al., "A Kernel Two-Sample Test", JMLR
 * 2012): the unbiased estimator MMD²ᵤ (their eq. 3) with the RBF kernel {@code k(x, y) = exp(−‖x − y‖² / h)}, where
 * the bandwidth {@code h} is the median squared distance between reference vectors (the median heuristic; h = 2σ²
 * with σ² = median/2, as Alibi Detect's {@code sigma_median}). Its null distribution comes from permutations of a
 * pooled reference sample over one precomputed kernel matrix.
 */
public final class MaximumMeanDiscrepancy {

    private MaximumMeanDiscrepancy() {
    }

    /** The median heuristic: the median of ‖xᵢ − xⱼ‖² over the pairs i &lt; j of {@code sample}. */
    public static double medianSquaredDistance(List<float[]> sample) {
        int n = sample.size();
        if (n < 2) {
            throw new IllegalArgumentException("the median heuristic needs two vectors, got " + n);
        }
        double[] d2 = new double[n * (n - 1) / 2];
        int p = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                d2[p++] = squaredDistance(sample.get(i), sample.get(j));
            }
        }
        Arrays.sort(d2);
        double median = d2.length % 2 == 1 ? d2[d2.length / 2] : (d2[d2.length / 2 - 1] + d2[d2.length / 2]) / 2;
        // identical vectors would give a zero bandwidth: fall back to the mean, then to 1
        if (median > 0) {
            return median;
        }
        double mean = Arrays.stream(d2).average().orElse(0);
        return mean > 0 ? mean : 1;
    }

    /** MMD²ᵤ between {@code x} and {@code y} (each at least two vectors) with bandwidth {@code h}. */
    public static double unbiased(List<float[]> x, List<float[]> y, double h) {
        return selfTerm(x, h) + selfTerm(y, h) - 2 * crossTerm(x, y, h);
    }

    /** MMD²ᵤ given the self term of {@code y} already computed with {@link #selfTerm} (a fixed reference). */
    public static double unbiased(List<float[]> x, List<float[]> y, double ySelfTerm, double h) {
        return selfTerm(x, h) + ySelfTerm - 2 * crossTerm(x, y, h);
    }

    /** {@code 1/(m(m−1)) Σ_{i≠j} k(xᵢ, xⱼ)}. */
    public static double selfTerm(List<float[]> x, double h) {
        int m = x.size();
        if (m < 2) {
            throw new IllegalArgumentException("MMD² needs two vectors per sample, got " + m);
        }
        double sum = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                sum += Math.exp(-squaredDistance(x.get(i), x.get(j)) / h);
            }
        }
        return 2 * sum / ((double) m * (m - 1));
    }

    private static double crossTerm(List<float[]> x, List<float[]> y, double h) {
        double sum = 0;
        for (float[] a : x) {
            for (float[] b : y) {
                sum += Math.exp(-squaredDistance(a, b) / h);
            }
        }
        return sum / ((double) x.size() * y.size());
    }

    /** A reference pool's bandwidth (median heuristic) and the sorted permutation null of MMD²ᵤ. */
    public record Null(double bandwidth, double[] values) {
    }

    /**
     * The permutation null of MMD²ᵤ between a sample of {@code firstSize} and one of {@code pool.size() − firstSize}
     * vectors drawn from the same distribution: the bandwidth by the median heuristic over {@code pool}, then
     * {@code permutations} random splits of {@code pool} over its kernel matrix, sorted.
     */
    public static Null permutationNull(List<float[]> pool, int firstSize, int permutations, long seed) {
        int n = pool.size();
        if (firstSize < 2 || n - firstSize < 2) {
            throw new IllegalArgumentException("cannot split " + n + " vectors into " + firstSize + " and the rest");
        }
        double h = medianSquaredDistance(pool);
        double[][] kernel = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                kernel[i][j] = kernel[j][i] = Math.exp(-squaredDistance(pool.get(i), pool.get(j)) / h);
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double[] values = new double[permutations];
        int m = firstSize;
        int r = n - firstSize;
        for (int p = 0; p < permutations; p++) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double xx = 0;
            double yy = 0;
            double xy = 0;
            for (int i = 0; i < n; i++) {
                double[] row = kernel[order[i]];
                boolean first = i < m;
                for (int j = i + 1; j < n; j++) {
                    double k = row[order[j]];
                    if (j < m) {
                        xx += k;
                    } else if (first) {
                        xy += k;
                    } else {
                        yy += k;
                    }
                }
            }
            values[p] = 2 * xx / ((double) m * (m - 1)) + 2 * yy / ((double) r * (r - 1)) - 2 * xy / ((double) m * r);
        }
        Arrays.sort(values);
        return new Null(h, values);
    }

    static double squaredDistance(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors of dimension " + a.length + " and " + b.length);
        }
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }
}
