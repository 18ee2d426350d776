package dev.kclip.concepts.kmeans;

import java.util.Arrays;
import java.util.List;

/**
 * The paper's offline K-means, which is also the online model's bootstrap: k-means++ seeding, then Lloyd
 * iterations to convergence, from {@link #INITIALISATIONS} seedings, keeping the lowest inertia. Deterministic for
 * the same data, order and seed.
 */
public final class OfflineKMeans {

    /** Share of the bootstrap distances below the novelty threshold (its 99th percentile). */
    public static final double NOVELTY_QUANTILE = 0.99;

    /** How many k-means++ seedings the fit tries (seeds {@code seed}, {@code seed + 1}, ...); the best is kept. */
    public static final int INITIALISATIONS = 4;

    /** Vectors per matrix product in the assignment step (bounds the distance buffer to CHUNK·K values). */
    private static final int CHUNK = 256;

    /**
     * The fitted model and how it got there.
     *
     * @param model version 1 of the concept model: centroids, weights = cluster sizes, τ, novelty threshold
     * @param assignments the concept of each input vector, in input order
     * @param squaredDistances d² of each input vector to its concept
     * @param inertia sum of {@code squaredDistances}
     * @param iterations Lloyd iterations run
     * @param converged whether Lloyd stopped by convergence rather than at {@code maxIterations}
     */
    public record Result(ConceptModel model, int[] assignments, double[] squaredDistances, double inertia,
            int iterations, boolean converged) {
    }

    private OfflineKMeans() {
    }

    /** Fits K centroids to raw vectors; the model's last update time is 0. */
    public static Result fit(List<float[]> data, KMeansSettings settings) {
        return fit(data, settings, 0L);
    }

    /**
     * Fits K centroids to raw vectors (at least K of them, all of one dimension).
     *
     * @param dataTime event time (epoch ms) of the newest vector, recorded as the model's last update time
     */
    public static Result fit(List<float[]> data, KMeansSettings settings, long dataTime) {
        int k = settings.k();
        if (data.size() < k) {
            throw new IllegalArgumentException("K-means with K=" + k + " needs at least " + k + " vectors, got "
                    + data.size());
        }
        Distance distance = settings.distance();
        int dim = data.get(0).length;
        float[][] prepared = new float[data.size()][];
        for (int i = 0; i < prepared.length; i++) {
            float[] x = data.get(i);
            if (x.length != dim) {
                throw new IllegalArgumentException("vector " + i + " has " + x.length + " values, the first " + dim);
            }
            prepared[i] = distance.prepare(x);
        }

        // several seedings, the lowest inertia kept (scikit-learn's n_init): one k-means++ draw can still put two
        // seeds in one true cluster and miss another, and neither Lloyd nor the online updates undo that
        Fit best = null;
        for (int attempt = 0; attempt < INITIALISATIONS; attempt++) {
            Fit fit = lloyd(prepared, k, dim, distance, settings, settings.seed() + attempt);
            if (best == null || fit.inertia < best.inertia) {
                best = fit;
            }
        }
        double[] weights = new double[k];
        for (int label : best.labels) {
            weights[label]++;
        }
        double tau = settings.temperature() > 0 ? settings.temperature() : Kernel.temperatureFromData(best.d2);
        ConceptModel model = new ConceptModel(best.centroids, weights, settings.kernel(), tau,
                quantile(best.d2, NOVELTY_QUANTILE), 1, prepared.length, dataTime);
        return new Result(model, best.labels, best.d2, best.inertia, best.iterations, best.converged);
    }

    /** One k-means++ seeding with {@code seed}, then Lloyd iterations until convergence or the limit. */
    private static Fit lloyd(float[][] prepared, int k, int dim, Distance distance, KMeansSettings settings, long seed) {
        int[] seeds = KMeansPlusPlus.seedIndices(prepared, k, seed);
        float[][] seedRows = new float[k][];
        for (int c = 0; c < k; c++) {
            seedRows[c] = prepared[seeds[c]];
        }
        Centroids centroids = Centroids.of(seedRows, distance);

        int n = prepared.length;
        int[] labels = new int[n];
        double[] d2 = new double[n];
        double inertia = assign(centroids, prepared, labels, d2);
        int iterations = 0;
        boolean converged = false;
        int[] newLabels = new int[n];
        double[] newD2 = new double[n];
        while (iterations < settings.maxIterations()) {
            iterations++;
            centroids = means(prepared, labels, d2, k, dim, distance);
            double newInertia = assign(centroids, prepared, newLabels, newD2);
            boolean changed = !Arrays.equals(labels, newLabels);
            System.arraycopy(newLabels, 0, labels, 0, n);
            System.arraycopy(newD2, 0, d2, 0, n);
            double improvement = inertia - newInertia;
            inertia = newInertia;
            if (!changed || improvement <= settings.tolerance() * Math.abs(inertia)) {
                converged = true;
                break;
            }
        }
        return new Fit(centroids, labels, d2, inertia, iterations, converged);
    }

    private record Fit(Centroids centroids, int[] labels, double[] d2, double inertia, int iterations,
            boolean converged) {
    }

    /**
     * Assigns every prepared vector to its nearest centroid (lowest index on ties), {@link #CHUNK} vectors per
     * matrix product; returns the inertia.
     */
    private static double assign(Centroids centroids, float[][] prepared, int[] labels, double[] d2) {
        int k = centroids.k();
        double[] distances = new double[Math.min(CHUNK, prepared.length) * k];
        double inertia = 0;
        for (int from = 0; from < prepared.length; from += CHUNK) {
            int to = Math.min(prepared.length, from + CHUNK);
            centroids.squaredDistances(Arrays.asList(prepared).subList(from, to), distances);
            for (int i = from; i < to; i++) {
                int row = (i - from) * k;
                int best = 0;
                for (int c = 1; c < k; c++) {
                    if (distances[row + c] < distances[row + best]) {
                        best = c;
                    }
                }
                labels[i] = best;
                d2[i] = distances[row + best];
                inertia += d2[i];
            }
        }
        return inertia;
    }

    /**
     * The mean of each cluster. An empty cluster takes the point farthest from its own centroid (not yet taken by
     * another empty cluster), as scikit-learn does, so K stays K.
     */
    private static Centroids means(float[][] prepared, int[] labels, double[] d2, int k, int dim, Distance distance) {
        double[] sums = new double[k * dim];
        long[] counts = new long[k];
        for (int i = 0; i < prepared.length; i++) {
            int c = labels[i];
            counts[c]++;
            float[] x = prepared[i];
            for (int j = 0; j < dim; j++) {
                sums[c * dim + j] += x[j];
            }
        }
        float[] rows = new float[k * dim];
        boolean[] taken = new boolean[prepared.length];
        for (int c = 0; c < k; c++) {
            if (counts[c] > 0) {
                for (int j = 0; j < dim; j++) {
                    rows[c * dim + j] = (float) (sums[c * dim + j] / counts[c]);
                }
            } else {
                int far = -1;
                for (int i = 0; i < prepared.length; i++) {
                    if (!taken[i] && (far < 0 || d2[i] > d2[far])) {
                        far = i;
                    }
                }
                taken[far] = true;
                System.arraycopy(prepared[far], 0, rows, c * dim, dim);
            }
        }
        return Centroids.wrap(k, dim, rows, distance);
    }

    /** The q-quantile (nearest rank) of {@code values}. */
    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }
}
