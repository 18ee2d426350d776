package dev.kclip.concepts.kmeans;

import dev.kclip.concepts.state.CentroidsState;
import dev.kclip.schemas.Float32Vectors;
import java.util.Arrays;
import java.util.List;

/**
 * K centroids of dimension D in one {@link Distance} geometry; immutable. Rows are the cluster means the update
 * rule moves; distances are taken against their geometric form (normalised for {@link Distance#COSINE}).
 *
 * <p>Methods whose parameter is called {@code prepared} expect a vector already passed through
 * {@code distance().prepare(x)}; {@link ConceptModel} does that for callers holding raw vectors.
 */
public final class Centroids {

    private final int k;
    private final int dim;
    private final Distance distance;
    private final float[] means;
    private final float[] geometry;
    /** ‖c‖² of each geometry row, for the batch kernel; computed on first use. */
    private double[] geometryNorms;

    private Centroids(int k, int dim, float[] means, Distance distance) {
        if (k < 1 || dim < 1 || means.length != k * dim) {
            throw new IllegalArgumentException("centroids need K ≥ 1 rows of D ≥ 1 values, got " + means.length
                    + " values for K=" + k + ", D=" + dim);
        }
        for (float v : means) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("centroids must be finite");
            }
        }
        this.k = k;
        this.dim = dim;
        this.distance = distance;
        this.means = means;
        this.geometry = distance == Distance.COSINE ? normalisedRows(means, k, dim) : means;
    }

    /** Centroids from K rows of equal length (copied). */
    public static Centroids of(float[][] rows, Distance distance) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("need at least one centroid");
        }
        int dim = rows[0].length;
        float[] flat = new float[rows.length * dim];
        for (int c = 0; c < rows.length; c++) {
            if (rows[c].length != dim) {
                throw new IllegalArgumentException("centroid " + c + " has " + rows[c].length + " values, not " + dim);
            }
            System.arraycopy(rows[c], 0, flat, c * dim, dim);
        }
        return new Centroids(rows.length, dim, flat, distance);
    }

    /** Centroids from K·D row-major values (copied). */
    public static Centroids ofRowMajor(int k, int dim, float[] values, Distance distance) {
        return new Centroids(k, dim, values.clone(), distance);
    }

    /** Takes ownership of {@code values}: for this package's own freshly built arrays. */
    static Centroids wrap(int k, int dim, float[] values, Distance distance) {
        return new Centroids(k, dim, values, distance);
    }

    public int k() {
        return k;
    }

    public int dim() {
        return dim;
    }

    public Distance distance() {
        return distance;
    }

    /** The mean of one concept (a copy). */
    public float[] mean(int concept) {
        return Arrays.copyOfRange(means, concept * dim, (concept + 1) * dim);
    }

    /** All means, K·D row-major (a copy). */
    public float[] rowMajor() {
        return means.clone();
    }

    /** Row-major means without copying; callers in this package must not write to it. */
    float[] meansView() {
        return means;
    }

    /** d² from a prepared vector to every centroid, written into {@code out} (length K). */
    public void squaredDistances(float[] prepared, double[] out) {
        checkDim(prepared);
        for (int c = 0; c < k; c++) {
            out[c] = VectorMath.squaredDistance(prepared, 0, geometry, c * dim, dim);
        }
    }

    /**
     * d² from each of a mini-batch of prepared vectors to every centroid, written into {@code out} row-major
     * ({@code out[r·K + c]}, length at least rows·K), by {@link BatchKernel#best()}: one matrix product where the
     * Vector API is available. Equal to {@link #squaredDistances(float[], double[])} of each row up to float
     * rounding.
     */
    public void squaredDistances(List<float[]> prepared, double[] out) {
        squaredDistances(prepared, out, BatchKernel.best());
    }

    /** Which kernel {@link #squaredDistances(List, double[])} runs in this JVM (for the benchmark's report). */
    public static String batchKernel() {
        return BatchKernel.best().name();
    }

    /** As {@link #squaredDistances(List, double[])} with a given kernel (the tests and the benchmark compare them). */
    void squaredDistances(List<float[]> prepared, double[] out, BatchKernel kernel) {
        if (out.length < prepared.size() * k) {
            throw new IllegalArgumentException("need room for " + prepared.size() * k + " distances, not "
                    + out.length);
        }
        for (float[] x : prepared) {
            checkDim(x);
        }
        double[] norms = geometryNorms;
        if (norms == null) {
            norms = new double[k];
            for (int c = 0; c < k; c++) {
                norms[c] = VectorMath.dot(geometry, c * dim, geometry, c * dim, dim);
            }
            geometryNorms = norms;
        }
        kernel.squaredDistances(prepared, geometry, norms, k, dim, out);
    }

    /** The nearest centroid to a prepared vector (lowest index on ties). */
    public Assignment nearest(float[] prepared) {
        checkDim(prepared);
        int best = 0;
        double bestD2 = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            double d2 = VectorMath.squaredDistance(prepared, 0, geometry, c * dim, dim);
            if (d2 < bestD2) {
                bestD2 = d2;
                best = c;
            }
        }
        return new Assignment(best, bestD2);
    }

    /** d² from a prepared vector to one centroid. */
    public double squaredDistance(float[] prepared, int concept) {
        checkDim(prepared);
        return VectorMath.squaredDistance(prepared, 0, geometry, concept * dim, dim);
    }

    /**
     * How far each centroid moved since {@code earlier} (same K, D and geometry), as a distance (not squared) in
     * this geometry.
     */
    public double[] displacement(Centroids earlier) {
        if (earlier.k != k || earlier.dim != dim || earlier.distance != distance) {
            throw new IllegalArgumentException("cannot compare centroids of different shape or geometry");
        }
        double[] moved = new double[k];
        for (int c = 0; c < k; c++) {
            moved[c] = Math.sqrt(VectorMath.squaredDistance(geometry, c * dim, earlier.geometry, c * dim, dim));
        }
        return moved;
    }

    /** K-means inertia: the sum over {@code data} (raw vectors) of d² to the nearest centroid. */
    public double inertia(List<float[]> data) {
        double sum = 0;
        for (float[] x : data) {
            sum += nearest(distance.prepare(x)).squaredDistance();
        }
        return sum;
    }

    /** These centroids as operator state. */
    public CentroidsState toState() {
        return new CentroidsState(k, dim, distance.name(), Float32Vectors.encode(means));
    }

    /** Reads what {@link #toState} wrote. */
    public static Centroids fromState(CentroidsState state) {
        return new Centroids(state.getK(), state.getDim(),
                Float32Vectors.decode(state.getMeans(), state.getK() * state.getDim()),
                Distance.valueOf(state.getDistance()));
    }

    private void checkDim(float[] x) {
        if (x.length != dim) {
            throw new IllegalArgumentException("vector has " + x.length + " values, the centroids " + dim);
        }
    }

    private static float[] normalisedRows(float[] means, int k, int dim) {
        float[] unit = new float[means.length];
        for (int c = 0; c < k; c++) {
            double norm = Math.sqrt(VectorMath.dot(means, c * dim, means, c * dim, dim));
            // a zero mean (opposite vectors cancelling) has no direction; it stays zero, at d² = 1 from everything
            float scale = norm == 0 ? 0f : (float) (1.0 / norm);
            for (int i = 0; i < dim; i++) {
                unit[c * dim + i] = means[c * dim + i] * scale;
            }
        }
        return unit;
    }
}
