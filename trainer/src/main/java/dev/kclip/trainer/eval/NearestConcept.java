package dev.kclip.trainer.eval;

import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.Float32Vectors;

/**
 * The most probable concept of a soft label, computed from a centroid snapshot: the nearest centroid (both of the
 * concept updater's kernels decrease with distance), under the snapshot's distance (COSINE normalises first).
 */
public final class NearestConcept {

    private final float[][] centroids;
    private final boolean cosine;

    public NearestConcept(CentroidSnapshot snapshot) {
        float[] flat = Float32Vectors.decode(snapshot.getCentroids(), snapshot.getConceptCount() * snapshot.getDim());
        this.cosine = "COSINE".equalsIgnoreCase(snapshot.getDistance());
        this.centroids = new float[snapshot.getConceptCount()][];
        for (int k = 0; k < centroids.length; k++) {
            float[] c = new float[snapshot.getDim()];
            System.arraycopy(flat, k * c.length, c, 0, c.length);
            centroids[k] = cosine ? Similarity.normalized(c) : c;
        }
    }

    /** The concept nearest to the teacher vector {@code x}. */
    public int of(float[] x) {
        float[] v = cosine ? Similarity.normalized(x) : x;
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int k = 0; k < centroids.length; k++) {
            double d = 0;
            for (int i = 0; i < v.length; i++) {
                double diff = v[i] - centroids[k][i];
                d += diff * diff;
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }
}
