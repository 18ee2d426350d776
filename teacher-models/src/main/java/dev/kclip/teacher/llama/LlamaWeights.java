package dev.kclip.teacher.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A Llama model's weights on a device. Matrices are {@code [out][in]} (as both llama2.c and Hugging Face store
 * them), so a projection is {@code x Wᵀ}.
 *
 * @param tokenEmbedding {@code E [vocab][dim]}
 * @param layers the transformer blocks, in order
 * @param rmsFinal gain of the final RMSNorm {@code [dim]}
 * @param output the classifier {@code [vocab][dim]}; the same array as {@code tokenEmbedding} when tied
 */
public record LlamaWeights(NDArray tokenEmbedding, List<Layer> layers, NDArray rmsFinal, NDArray output) {

    /**
     * One transformer block.
     *
     * @param rmsAtt gain of the RMSNorm before attention {@code [dim]}
     * @param wq query projection {@code [dim][dim]}
     * @param wk key projection {@code [kvDim][dim]}
     * @param wv value projection {@code [kvDim][dim]}
     * @param wo attention output projection {@code [dim][dim]}
     * @param rmsFfn gain of the RMSNorm before the feed-forward network {@code [dim]}
     * @param w1 gate projection {@code [hidden][dim]} (Hugging Face {@code gate_proj})
     * @param w2 down projection {@code [dim][hidden]} ({@code down_proj})
     * @param w3 up projection {@code [hidden][dim]} ({@code up_proj})
     */
    public record Layer(NDArray rmsAtt, NDArray wq, NDArray wk, NDArray wv, NDArray wo,
            NDArray rmsFfn, NDArray w1, NDArray w2, NDArray w3) {
    }

    public LlamaWeights {
        layers = List.copyOf(layers);
    }

    /**
     * Checks every shape against {@code config}.
     *
     * @throws IllegalArgumentException naming the first tensor whose shape is wrong
     */
    public void validate(LlamaConfig config) {
        int dim = config.dim();
        check("token embedding", tokenEmbedding, config.vocabSize(), dim);
        check("output", output, config.vocabSize(), dim);
        check("final norm", rmsFinal, dim);
        if (layers.size() != config.nLayers()) {
            throw new IllegalArgumentException("expected " + config.nLayers() + " layers, found " + layers.size());
        }
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            String at = "layer " + l + " ";
            check(at + "attention norm", layer.rmsAtt(), dim);
            check(at + "wq", layer.wq(), dim, dim);
            check(at + "wk", layer.wk(), config.kvDim(), dim);
            check(at + "wv", layer.wv(), config.kvDim(), dim);
            check(at + "wo", layer.wo(), dim, dim);
            check(at + "ffn norm", layer.rmsFfn(), dim);
            check(at + "w1", layer.w1(), config.hiddenDim(), dim);
            check(at + "w2", layer.w2(), dim, config.hiddenDim());
            check(at + "w3", layer.w3(), config.hiddenDim(), dim);
        }
    }

    private static void check(String name, NDArray array, long... dims) {
        Shape expected = new Shape(dims);
        if (!array.getShape().equals(expected)) {
            throw new IllegalArgumentException(name + " has shape " + array.getShape() + ", expected " + expected);
        }
    }
}
