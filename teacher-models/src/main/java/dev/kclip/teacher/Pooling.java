package dev.kclip.teacher;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** How a caption's per-token hidden states become one vector. */
public enum Pooling {
    /**
     * Mean over the caption's real tokens (padding excluded): the default. A teacher may leave leading positions
     * out of it (the Llama teachers leave out BOS, an attention sink whose outsized hidden state says nothing about
     * the caption).
     */
    MEAN,
    /** The hidden state of the last real token, which in a causal model has read the whole caption. */
    LAST;

    /**
     * The weight of each position: {@code 1/(length - skipped)} on every real token after the first {@code skipped}
     * for {@link #MEAN} (on every real token of a sequence no longer than {@code skipped}, so it still has a vector),
     * 1 on the last real token for {@link #LAST}, 0 elsewhere. Pooling is then one weighted sum for both.
     *
     * @param skipped leading positions {@link #MEAN} leaves out, e.g. 1 for a BOS token; {@link #LAST} ignores it
     * @return {@code [batch][paddedLength]}, row-major
     */
    public float[] weights(int[] lengths, int paddedLength, int skipped) {
        float[] w = new float[lengths.length * paddedLength];
        for (int b = 0; b < lengths.length; b++) {
            if (this == MEAN) {
                int first = lengths[b] > skipped ? skipped : 0;
                for (int t = first; t < lengths[b]; t++) {
                    w[b * paddedLength + t] = 1f / (lengths[b] - first);
                }
            } else {
                w[b * paddedLength + lengths[b] - 1] = 1f;
            }
        }
        return w;
    }

    /** {@link #pool(NDArray, int[], int)} over every real position. */
    public NDArray pool(NDArray hidden, int[] lengths) {
        return pool(hidden, lengths, 0);
    }

    /**
     * Pools float32 hidden states {@code [batch][paddedLength][dim]} on their device.
     *
     * @param skipped leading positions a mean leaves out (see {@link #weights})
     * @return {@code [batch][dim]}, in the manager of {@code hidden}
     */
    public NDArray pool(NDArray hidden, int[] lengths, int skipped) {
        Shape shape = hidden.getShape();
        int paddedLength = (int) shape.get(1);
        NDArray w = hidden.getManager().create(weights(lengths, paddedLength, skipped),
                new Shape(shape.get(0), paddedLength, 1));
        return hidden.mul(w).sum(new int[] {1});
    }
}
