package dev.kclip.concepts.testdata;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded synthetic embeddings: isotropic Gaussian clusters around random unit-norm centres. In 384 dimensions
 * random directions are nearly orthogonal, so with the default noise every cluster is far from every other in
 * both cosine and Euclidean geometry.
 */
public final class GaussianClusters {

    /** Vectors with the cluster each came from. */
    public record Sample(List<float[]> vectors, int[] truth) {
    }

    private final float[][] centres;
    private final double noise;
    private final SplittableRandom random;

    /**
     * @param clusters number of clusters
     * @param dim dimension
     * @param noise standard deviation per component (0.02 in 384-d puts a point about 0.4 from its centre, the
     *     centres about 1.4 apart)
     * @param seed seeds the centres and the points
     */
    public GaussianClusters(int clusters, int dim, double noise, long seed) {
        this.random = new SplittableRandom(seed);
        this.noise = noise;
        this.centres = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            float[] centre = new float[dim];
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                centre[j] = (float) gaussian();
                norm += centre[j] * centre[j];
            }
            for (int j = 0; j < dim; j++) {
                centre[j] /= (float) Math.sqrt(norm);
            }
            centres[c] = centre;
        }
    }

    public int clusters() {
        return centres.length;
    }

    /** {@code n} points, clusters drawn uniformly among {@code [from, to)}. */
    public Sample sample(int n, int from, int to) {
        List<float[]> vectors = new ArrayList<>(n);
        int[] truth = new int[n];
        for (int i = 0; i < n; i++) {
            int c = from + random.nextInt(to - from);
            truth[i] = c;
            vectors.add(point(c));
        }
        return new Sample(vectors, truth);
    }

    /** {@code n} points from all clusters. */
    public Sample sample(int n) {
        return sample(n, 0, centres.length);
    }

    /** One point of cluster {@code c}. */
    public float[] point(int c) {
        float[] centre = centres[c];
        float[] x = new float[centre.length];
        for (int j = 0; j < x.length; j++) {
            x[j] = (float) (centre[j] + noise * gaussian());
        }
        return x;
    }

    private double gaussian() {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
