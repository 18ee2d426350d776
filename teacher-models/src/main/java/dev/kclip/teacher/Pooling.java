package dev.kclip.teacher;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** How a caption's per-token hidden states become one vector. */
public enum Pooling {
    /** Mean over the caption's real tokens (padding excluded): the default. */
    MEAN,
    /** The hidden state of the last real token, which in a causal model has read the whole caption. */
    LAST;

    /**
     * The weight of each position: {@code 1/length} on every real token for {@link #MEAN}, 1 on the last real token
     * for {@link #LAST}, 0 on padding. Pooling is then one weighted sum for both.
     *
     * @return {@code [batch][paddedLength]}, row-major
     */
    public float[] weights(int[] lengths, int paddedLength) {
        float[] w = new float[lengths.length * paddedLength];
        for (int b = 0; b < lengths.length; b++) {
            if (this == MEAN) {
                for (int t = 0; t < lengths[b]; t++) {
                    w[b * paddedLength + t] = 1f / lengths[b];
                }
            } else {
                w[b * paddedLength + lengths[b] - 1] = 1f;
            }
        }
        return w;
    }

    /**
     * Pools float32 hidden states {@code [batch][paddedLength][dim]} on their device.
     *
     * @return {@code [batch][dim]}, in the manager of {@code hidden}
     */
    public NDArray pool(NDArray hidden, int[] lengths) {
        Shape shape = hidden.getShape();
        int paddedLength = (int) shape.get(1);
        NDArray w = hidden.getManager().create(weights(lengths, paddedLength), new Shape(shape.get(0), paddedLength, 1));
        return hidden.mul(w).sum(new int[] {1});
    }
}
