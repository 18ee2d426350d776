package dev.kclip.teacher.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import java.nio.FloatBuffer;

/**
 * The Llama architecture (Touvron et al., 2023) as DJL NDArray operations on the PyTorch engine: token embedding,
 * then per block {@code x += Attention(RMSNorm(x))} and {@code x += SwiGLU(RMSNorm(x))} with rotary position
 * embedding and grouped-query attention, then a final RMSNorm. One {@link #forward} computes a whole batch of
 * right-padded sequences; a causal mask plus a padding mask keep every sequence's result what it would be alone.
 *
 * <p>Weights and compute use the weights' element type (float32 on CPU, float16 on a GPU); RMSNorm and softmax run
 * in float32 as the reference implementations do. Results come back as float32.
 *
 * <p>Arrays of a forward pass belong to the caller's scope ({@link #newScope}); the blocks free their temporaries
 * as they go, so memory holds the weights plus about one block's activations.
 */
public final class Llama implements AutoCloseable {

    /** Added to masked attention scores (in float32): exp underflows to exactly 0, and unlike -inf, 0 × it is not NaN. */
    private static final float MASKED = -1e30f;

    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final NDManager manager;
    private final DataType dataType;
    private final float[] ropeCos;
    private final float[] ropeSin;

    private Llama(LlamaConfig config, LlamaWeights weights, NDManager manager) {
        this.config = config;
        this.weights = weights;
        this.manager = manager;
        this.dataType = weights.tokenEmbedding().getDataType();
        int half = config.headSize() / 2;
        int positions = TokenBatch.align(config.maxSeqLen());
        this.ropeCos = new float[positions * half];
        this.ropeSin = new float[positions * half];
        for (int j = 0; j < half; j++) {
            // θ_j = base^(-2j/headSize), in float32 like llama2.c and transformers
            float theta = (float) (1.0 / Math.pow(config.ropeTheta(), (2.0 * j) / config.headSize()));
            for (int pos = 0; pos < positions; pos++) {
                float angle = pos * theta;
                ropeCos[pos * half + j] = (float) Math.cos(angle);
                ropeSin[pos * half + j] = (float) Math.sin(angle);
            }
        }
    }

    /**
     * A model over {@code weights}, which {@code manager} owns (closing the model closes it).
     *
     * @throws IllegalArgumentException when a weight's shape does not match {@code config}
     */
    public static Llama of(LlamaConfig config, LlamaWeights weights, NDManager manager) {
        weights.validate(config);
        return new Llama(config, weights, manager);
    }

    public LlamaConfig config() {
        return config;
    }

    /** Element type of weights and compute. */
    public DataType dataType() {
        return dataType;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** A manager for one call's arrays, on the model's device; close it when done with the results. */
    public NDManager newScope() {
        return manager.newSubManager();
    }

    /**
     * Hidden states numbered as Hugging Face's {@code output_hidden_states}: 0 is the token embeddings, {@code l}
     * the residual stream after {@code l} blocks, and {@code nLayers} the output of the final RMSNorm (what
     * {@code LlamaModel} returns as {@code last_hidden_state}).
     *
     * @return float32 {@code [batch][length][dim]}, owned by {@code scope}
     */
    public NDArray hiddenStates(NDManager scope, TokenBatch batch, int layer) {
        if (layer < 0 || layer > config.nLayers()) {
            throw new IllegalArgumentException("hidden layer " + layer + " outside 0.." + config.nLayers());
        }
        NDArray h = forward(scope, batch, layer);
        return layer == config.nLayers() ? rmsNorm(h, weights.rmsFinal()).toType(DataType.FLOAT32, false)
                : h.toType(DataType.FLOAT32, false);
    }

    /** Next-token logits at every position: float32 {@code [batch][length][vocab]}, owned by {@code scope}. */
    public NDArray logits(NDManager scope, TokenBatch batch) {
        NDArray h = rmsNorm(forward(scope, batch, config.nLayers()), weights.rmsFinal());
        return linear(h, weights.output()).toType(DataType.FLOAT32, false);
    }

    /** The residual stream after the first {@code blocks} transformer blocks. */
    private NDArray forward(NDManager scope, TokenBatch batch, int blocks) {
        for (int length : batch.lengths()) {
            if (length > config.maxSeqLen()) {
                throw new IllegalArgumentException("sequence of " + length + " tokens exceeds the model's context of "
                        + config.maxSeqLen());
            }
        }
        for (long id : batch.ids()) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " outside the vocabulary 0.." + (config.vocabSize() - 1));
            }
        }
        NDArray tokens = scope.create(batch.ids(), new Shape(batch.size(), batch.length()));
        Rope rope = new Rope(scope, batch.length());
        NDArray mask = attentionMask(scope, batch);
        NDArray x = Embedding.embedding(tokens, weights.tokenEmbedding(), SparseFormat.DENSE).singletonOrThrow(); // x = E[t]
        for (int l = 0; l < blocks; l++) {
            try (NDManager blockScope = scope.newSubManager()) {
                x.attach(blockScope);         // the block's input and temporaries are freed with it,
                x = block(x, weights.layers().get(l), rope, mask);
                x.attach(scope);              // only its output survives
            }
        }
        return x;
    }

    /** One transformer block: pre-norm attention and pre-norm SwiGLU feed-forward, each added to the residual. */
    private NDArray block(NDArray x, LlamaWeights.Layer w, Rope rope, NDArray mask) {
        NDArray xa = rmsNorm(x, w.rmsAtt());                                              // x̂ = RMSNorm(x) ⊙ g_att
        NDArray q = rope.rotate(heads(linear(xa, w.wq()), config.nHeads()));             // q = RoPE(x̂ Wqᵀ)
        NDArray k = rope.rotate(heads(linear(xa, w.wk()), config.nKvHeads()));           // k = RoPE(x̂ Wkᵀ)
        NDArray v = heads(linear(xa, w.wv()), config.nKvHeads());                        // v = x̂ Wvᵀ
        x = x.add(linear(attention(q, k, v, mask), w.wo()));                             // x += softmax(qkᵀ/√d + M) v Woᵀ
        NDArray xf = rmsNorm(x, w.rmsFfn());                                              // x̂ = RMSNorm(x) ⊙ g_ffn
        return x.add(linear(silu(linear(xf, w.w1())).mul(linear(xf, w.w3())), w.w2())); // x += (silu(x̂ W1ᵀ) ⊙ x̂ W3ᵀ) W2ᵀ
    }

    /** RMSNorm(x) = x / √(mean(x²) + ε) ⊙ g, the statistic in float32. */
    private NDArray rmsNorm(NDArray x, NDArray gain) {
        NDArray xf = x.toType(DataType.FLOAT32, false);
        NDArray normed = xf.div(xf.square().mean(new int[] {-1}, true).add(config.normEps()).sqrt());
        return normed.toType(dataType, false).mul(gain);
    }

    /**
     * Scaled dot-product attention with grouped-query heads: query head h reads key/value head h / (nHeads/nKvHeads).
     * The query heads of a group are stacked along the sequence axis so one matrix product serves the whole group
     * without copying keys and values per head.
     *
     * @param q {@code [B][T][nHeads][headSize]}
     * @param k {@code [B][T][nKvHeads][headSize]}, like {@code v}
     * @param mask {@code [B][1][T][T]}: 0 where query i may read key j (j ≤ i and j a real token), else {@link #MASKED}
     * @return {@code [B][T][dim]}
     */
    private NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask) {
        long batch = q.getShape().get(0);
        long length = q.getShape().get(1);
        int group = config.nHeads() / config.nKvHeads();
        int headSize = config.headSize();
        NDArray qg = q.transpose(0, 2, 1, 3).reshape(batch, config.nKvHeads(), group * length, headSize);
        NDArray kt = contiguous(k.transpose(0, 2, 3, 1));                   // [B][kv][headSize][T]
        NDArray vh = contiguous(v.transpose(0, 2, 1, 3));                   // [B][kv][T][headSize]
        NDArray scores = qg.matMul(kt)                                      // [B][kv][group·T][T]
                .toType(DataType.FLOAT32, false).div((float) Math.sqrt(headSize))
                .reshape(batch, config.nHeads(), length, length).add(mask);
        NDArray p = scores.softmax(-1).toType(dataType, false).reshape(batch, config.nKvHeads(), group * length, length);
        return p.matMul(vh)                                                 // [B][kv][group·T][headSize]
                .reshape(batch, config.nHeads(), length, headSize)
                .transpose(0, 2, 1, 3).reshape(batch, length, config.dim());
    }

    /** Causal plus padding mask, additive, float32 {@code [B][1][T][T]}. */
    private static NDArray attentionMask(NDManager scope, TokenBatch batch) {
        int length = batch.length();
        NDArray key = scope.arange(length).reshape(1, 1, 1, length);
        NDArray query = scope.arange(length).reshape(1, 1, length, 1);
        NDArray realKey = key.lt(scope.create(batch.lengths()).reshape(batch.size(), 1, 1, 1));
        NDArray allowed = key.lte(query).logicalAnd(realKey);
        return allowed.toType(DataType.FLOAT32, false).sub(1f).mul(-MASKED);
    }

    /**
     * A contiguous copy of a transposed view. PyTorch multiplies a strided view through another kernel path whose
     * rounding depends on the batch size; contiguous operands keep a caption's result independent of its batch.
     */
    private static NDArray contiguous(NDArray view) {
        Shape shape = view.getShape();
        return view.flatten().reshape(shape);
    }

    private NDArray heads(NDArray x, int count) {
        Shape shape = x.getShape();
        return x.reshape(shape.get(0), shape.get(1), count, config.headSize());
    }

    private static NDArray linear(NDArray x, NDArray w) {
        return Linear.linear(x, w).singletonOrThrow();
    }

    private static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** Rotary position embedding for positions 0..length-1 in the checkpoint's layout. */
    private final class Rope {
        private final NDArray cos;
        private final NDArray sin;

        Rope(NDManager scope, int length) {
            int half = config.headSize() / 2;
            Shape shape = new Shape(1, length, 1, half);
            cos = scope.create(FloatBuffer.wrap(ropeCos, 0, length * half), shape).toType(dataType, false);
            sin = scope.create(FloatBuffer.wrap(ropeSin, 0, length * half), shape).toType(dataType, false);
        }

        /** Rotates each pair (a, b) of {@code x [B][T][heads][headSize]} by its position's angle. */
        NDArray rotate(NDArray x) {
            Shape shape = x.getShape();
            int half = config.headSize() / 2;
            if (config.ropeLayout() == RopeLayout.INTERLEAVED) {
                NDArray pairs = x.reshape(shape.get(0), shape.get(1), shape.get(2), half, 2);
                NDArray a = pairs.get("..., 0");
                NDArray b = pairs.get("..., 1");
                NDArray ra = a.mul(cos).sub(b.mul(sin));
                NDArray rb = a.mul(sin).add(b.mul(cos));
                return NDArrays.stack(new NDList(ra, rb), -1).reshape(shape);
            }
            NDArray a = x.get("..., :" + half);
            NDArray b = x.get("..., " + half + ":");
            return NDArrays.concat(new NDList(a.mul(cos).sub(b.mul(sin)), b.mul(cos).add(a.mul(sin))), -1);
        }
    }

    /** Frees the weights. */
    @Override
    public void close() {
        manager.close();
    }
}
