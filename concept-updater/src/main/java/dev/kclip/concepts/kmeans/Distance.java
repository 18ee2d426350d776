package dev.kclip.concepts.kmeans;

/**
 * The geometry concepts live in. Every distance in this package is a squared distance {@code d²} in that geometry.
 *
 * <p>{@link #COSINE} (the default) L2-normalises vectors and compares centroids by direction only:
 * {@code d² = ‖x/‖x‖ − c/‖c‖‖² = 2 − 2·cos(x, c)}, in [0, 4]. Centroids are kept as plain means of the normalised
 * vectors (so the online update rule holds as written) and normalised when distances are taken.
 * {@link #EUCLIDEAN} uses vectors as they are: {@code d² = ‖x − c‖²}.
 */
public enum Distance {
    COSINE,
    EUCLIDEAN;

    /**
     * The vector as this geometry sees it: an L2-normalised copy for {@link #COSINE}, the array itself for
     * {@link #EUCLIDEAN}.
     *
     * @throws IllegalArgumentException for the zero vector under {@link #COSINE} (it has no direction)
     */
    public float[] prepare(float[] x) {
        if (this == EUCLIDEAN) {
            return x;
        }
        double norm = Math.sqrt(VectorMath.dot(x, 0, x, 0, x.length));
        if (norm == 0 || !Double.isFinite(norm)) {
            throw new IllegalArgumentException("cannot L2-normalise a vector of norm " + norm);
        }
        float[] unit = new float[x.length];
        float scale = (float) (1.0 / norm);
        for (int i = 0; i < x.length; i++) {
            unit[i] = x[i] * scale;
        }
        return unit;
    }

    /** Parses {@code cosine}/{@code euclidean} in any case. */
    public static Distance parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("distance must be COSINE or EUCLIDEAN, not " + name, e);
        }
    }
}
