package dev.kclip.teacher;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

/**
 * How a teacher is run and how its hidden states become a vector. Pooling, hidden layer and normalisation apply to
 * the Llama teachers (and normalisation to TorchScript); the bundled MiniLM always uses its own sentence-transformers
 * pooling.
 *
 * @param device where weights and compute live: {@code cpu} (float32) or a GPU (float16)
 * @param pooling {@link Pooling#MEAN} over real tokens (default; BOS left out by the Llama teachers) or
 *     {@link Pooling#LAST} token
 * @param hiddenLayer which hidden state to pool, numbered like Hugging Face's {@code hidden_states}: 0 = token
 *     embeddings, L = after L blocks; negative counts from the end, so -1 (default) is the last hidden state after
 *     the final norm and -2 the output of the block before it
 * @param l2Normalize scale each vector to unit length
 */
public record TeacherOptions(Device device, Pooling pooling, int hiddenLayer, boolean l2Normalize) {

    /** The last hidden state (after the final norm). */
    public static final int LAST_LAYER = -1;

    public TeacherOptions {
        if (device == null || pooling == null) {
            throw new IllegalArgumentException("device and pooling are required");
        }
    }

    /** CPU, mean pooling of the last hidden state, no normalisation. */
    public static TeacherOptions defaults() {
        return new TeacherOptions(Device.cpu(), Pooling.MEAN, LAST_LAYER, false);
    }

    public TeacherOptions withDevice(Device newDevice) {
        return new TeacherOptions(newDevice, pooling, hiddenLayer, l2Normalize);
    }

    public TeacherOptions withPooling(Pooling newPooling) {
        return new TeacherOptions(device, newPooling, hiddenLayer, l2Normalize);
    }

    public TeacherOptions withHiddenLayer(int layer) {
        return new TeacherOptions(device, pooling, layer, l2Normalize);
    }

    public TeacherOptions withL2Normalize(boolean normalize) {
        return new TeacherOptions(device, pooling, hiddenLayer, normalize);
    }

    /** Weights and compute type: float32 on CPU; float16 on a GPU (DJL 0.33's PyTorch engine has no bfloat16). */
    public DataType dataType() {
        return device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
    }

    /** True when pooling, layer and normalisation are the defaults. */
    public boolean defaultEmbedding() {
        return pooling == Pooling.MEAN && hiddenLayer == LAST_LAYER && !l2Normalize;
    }

    /**
     * Suffix that makes a model id name the embedding, not just the weights: vectors pooled differently live in
     * different spaces. Empty for the defaults, else e.g. {@code #last,layer=-2,l2}.
     */
    public String idSuffix() {
        return idSuffix(false);
    }

    /**
     * {@link #idSuffix()} for a teacher whose mean leaves BOS out ({@code bosLeftOut}, the Llama teachers): its mean
     * vectors differ from a mean over every token, so the id says so ({@code #mean,no-bos}) and is never empty then.
     */
    public String idSuffix(boolean bosLeftOut) {
        boolean noBos = bosLeftOut && pooling == Pooling.MEAN;
        if (defaultEmbedding() && !noBos) {
            return "";
        }
        StringBuilder s = new StringBuilder("#").append(pooling.name().toLowerCase(java.util.Locale.ROOT));
        if (noBos) {
            s.append(",no-bos");
        }
        if (hiddenLayer != LAST_LAYER) {
            s.append(",layer=").append(hiddenLayer);
        }
        if (l2Normalize) {
            s.append(",l2");
        }
        return s.toString();
    }

    /** The absolute hidden-state index for a model of {@code layers} blocks. */
    public int resolveLayer(int layers) {
        int index = hiddenLayer < 0 ? layers + 1 + hiddenLayer : hiddenLayer;
        if (index < 0 || index > layers) {
            throw new IllegalArgumentException("hidden layer " + hiddenLayer + " does not exist in a model of " + layers
                    + " layers (use 0.." + layers + " or -1..-" + (layers + 1) + ")");
        }
        return index;
    }
}
