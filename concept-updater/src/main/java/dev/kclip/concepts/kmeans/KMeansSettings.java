package dev.kclip.concepts.kmeans;

/**
 * How the offline K-means (the bootstrap) runs and how the model it makes labels.
 *
 * @param k number of concepts K (default 64)
 * @param distance geometry (default {@link Distance#COSINE})
 * @param kernel soft-label kernel (default {@link Kernel#GAUSSIAN})
 * @param temperature τ of the kernel; 0 (the default) sets it from the data: the median d² to the nearest centroid
 * @param seed seed of the k-means++ sampling; the same data and seed give the same centroids and numbering
 * @param maxIterations Lloyd iterations at most (default 100)
 * @param tolerance Lloyd stops when no assignment changes or the inertia improves by less than this fraction
 *     (default 1e-6)
 */
public record KMeansSettings(int k, Distance distance, Kernel kernel, double temperature, long seed,
        int maxIterations, double tolerance) implements java.io.Serializable {

    public static final int DEFAULT_K = 64;
    public static final long DEFAULT_SEED = 42;

    public KMeansSettings {
        if (k < 1) {
            throw new IllegalArgumentException("K must be at least 1, not " + k);
        }
        if (distance == null || kernel == null) {
            throw new IllegalArgumentException("distance and kernel are required");
        }
        if (!(temperature >= 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be 0 (from the data) or positive, not " + temperature);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be at least 1, not " + maxIterations);
        }
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be non-negative, not " + tolerance);
        }
    }

    /** K concepts, cosine geometry, Gaussian kernel with τ from the data, seed 42, 100 iterations, 1e-6. */
    public static KMeansSettings defaults(int k) {
        return new KMeansSettings(k, Distance.COSINE, Kernel.GAUSSIAN, 0, DEFAULT_SEED, 100, 1e-6);
    }

    public KMeansSettings withK(int value) {
        return new KMeansSettings(value, distance, kernel, temperature, seed, maxIterations, tolerance);
    }

    public KMeansSettings withDistance(Distance value) {
        return new KMeansSettings(k, value, kernel, temperature, seed, maxIterations, tolerance);
    }

    public KMeansSettings withKernel(Kernel value) {
        return new KMeansSettings(k, distance, value, temperature, seed, maxIterations, tolerance);
    }

    /** A fixed τ; 0 means from the data. */
    public KMeansSettings withTemperature(double value) {
        return new KMeansSettings(k, distance, kernel, value, seed, maxIterations, tolerance);
    }

    public KMeansSettings withSeed(long value) {
        return new KMeansSettings(k, distance, kernel, temperature, value, maxIterations, tolerance);
    }
}
