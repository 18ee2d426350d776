package dev.kclip.teacher.llama;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The shape of a Llama model.
 *
 * @param dim model width (Hugging Face {@code hidden_size}; 4096 for Llama-2-7B)
 * @param hiddenDim feed-forward width ({@code intermediate_size}; 11008)
 * @param nLayers transformer blocks ({@code num_hidden_layers}; 32)
 * @param nHeads query heads ({@code num_attention_heads}; 32)
 * @param nKvHeads key/value heads, fewer than {@code nHeads} for grouped-query attention ({@code num_key_value_heads})
 * @param vocabSize tokens in the vocabulary (32000)
 * @param maxSeqLen longest sequence the model was trained on ({@code max_position_embeddings}; 4096)
 * @param normEps RMSNorm epsilon ({@code rms_norm_eps})
 * @param ropeTheta rotary embedding base ({@code rope_theta}; 10000)
 * @param ropeLayout which dimensions RoPE rotates together, as the checkpoint's wq/wk are laid out
 * @param tiedOutput true when the output classifier is the token-embedding matrix
 */
public record LlamaConfig(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize, int maxSeqLen,
        float normEps, float ropeTheta, RopeLayout ropeLayout, boolean tiedOutput) {

    public LlamaConfig {
        if (dim <= 0 || hiddenDim <= 0 || nLayers <= 0 || nHeads <= 0 || nKvHeads <= 0 || vocabSize <= 0 || maxSeqLen <= 0) {
            throw new IllegalArgumentException("Llama config has a non-positive size: dim=" + dim + " hidden=" + hiddenDim
                    + " layers=" + nLayers + " heads=" + nHeads + " kvHeads=" + nKvHeads + " vocab=" + vocabSize
                    + " seqLen=" + maxSeqLen);
        }
        if (dim % nHeads != 0 || (dim / nHeads) % 2 != 0) {
            throw new IllegalArgumentException("dim " + dim + " must split into " + nHeads + " heads of even size");
        }
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException(nHeads + " query heads cannot share " + nKvHeads + " key/value heads evenly");
        }
    }

    /** Llama-2-7B's shape (Hugging Face layout), for benchmarks with random weights. */
    public static LlamaConfig llama2_7b() {
        return new LlamaConfig(4096, 11008, 32, 32, 32, 32000, 4096, 1e-5f, 10000f, RopeLayout.HALVES, false);
    }

    /**
     * Reads a Hugging Face {@code config.json} of a {@code LlamaForCausalLM}.
     *
     * @throws IllegalArgumentException for another architecture or a feature this implementation lacks
     */
    public static LlamaConfig fromHuggingFace(JsonNode json) {
        String modelType = json.path("model_type").asText("llama");
        if (!modelType.equals("llama")) {
            throw new IllegalArgumentException("config.json describes a '" + modelType + "' model, not a Llama");
        }
        String activation = json.path("hidden_act").asText("silu");
        if (!activation.equals("silu")) {
            throw new IllegalArgumentException("hidden_act " + activation + " is not supported (Llama uses silu)");
        }
        JsonNode scaling = json.path("rope_scaling");
        if (!scaling.isMissingNode() && !scaling.isNull()) {
            throw new IllegalArgumentException("rope_scaling " + scaling + " is not supported (Llama 2 has none)");
        }
        if (json.path("attention_bias").asBoolean(false) || json.path("mlp_bias").asBoolean(false)) {
            throw new IllegalArgumentException("attention_bias/mlp_bias are not supported (Llama has no biases)");
        }
        int dim = required(json, "hidden_size");
        int heads = required(json, "num_attention_heads");
        if (json.has("head_dim") && json.get("head_dim").asInt() != dim / heads) {
            throw new IllegalArgumentException("head_dim " + json.get("head_dim") + " differs from hidden_size/heads");
        }
        return new LlamaConfig(dim, required(json, "intermediate_size"), required(json, "num_hidden_layers"), heads,
                json.path("num_key_value_heads").asInt(heads), required(json, "vocab_size"),
                json.path("max_position_embeddings").asInt(2048),
                (float) json.path("rms_norm_eps").asDouble(1e-6), (float) json.path("rope_theta").asDouble(10000),
                RopeLayout.HALVES, json.path("tie_word_embeddings").asBoolean(false));
    }

    private static int required(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new IllegalArgumentException("config.json lacks integer field " + field);
        }
        return value.asInt();
    }

    /** Width of one attention head. */
    public int headSize() {
        return dim / nHeads;
    }

    /** Width of all key (or value) heads together. */
    public int kvDim() {
        return headSize() * nKvHeads;
    }

    /**
     * Parameters a forward pass to hidden states multiplies with: the projections and feed-forward matrices of every
     * block (the embedding is a lookup, norms are element-wise, the classifier is not needed for embeddings). Each
     * token costs about twice this many floating-point operations, attention scores aside.
     */
    public long matmulParameters() {
        long attention = 2L * dim * dim + 2L * dim * kvDim();
        long feedForward = 3L * dim * hiddenDim;
        return nLayers * (attention + feedForward);
    }
}
