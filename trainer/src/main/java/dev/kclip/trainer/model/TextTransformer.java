package dev.kclip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The text encoder {@code E_T}, a causal Transformer over the tokenizer's vocabulary, as in CLIP:
 * <pre>
 * x = token_embedding[ids] + position_embedding[0..T)
 * x = final_layer_norm(layers(x, causal mask))
 * E_T(t) = projection(pool(x))        pool = the end token's state, or the mean over real tokens
 * </pre>
 * Inputs: token ids {@code [B, T]} (int64, padded after the end token) and lengths {@code [B]} (int64, real tokens
 * including the special ones). With the causal mask, padding never influences a real token. Output
 * {@code [B, embedDim]}, not normalised.
 */
public final class TextTransformer extends AbstractBlock {

    private final int width;
    private final int contextLength;
    private final ModelConfig.TextPooling pooling;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<TransformerLayer> layers = new ArrayList<>();
    private final Norm finalLayerNorm;
    private final Dense projection;

    public TextTransformer(ModelConfig config) {
        this.width = config.textWidth();
        this.contextLength = config.contextLength();
        this.pooling = config.textPooling();
        this.tokenEmbedding = addParameter(Parameter.builder().setName("token_embedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(config.vocabSize(), width))
                .optInitializer(new NormalInitializer(0.02f)).build());
        this.positionEmbedding = addParameter(Parameter.builder().setName("position_embedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(contextLength, width))
                .optInitializer(new NormalInitializer(0.01f)).build());
        for (int i = 0; i < config.textLayers(); i++) {
            layers.add(addChildBlock("layers." + i,
                    new TransformerLayer(width, config.textHeads(), config.textMlpWidth(), config.textLayers(),
                            config.activation(), config.layerNormEpsilon())));
        }
        this.finalLayerNorm = addChildBlock("final_layer_norm", new Norm(width, config.layerNormEpsilon()));
        this.projection = addChildBlock("projection", new Dense(width, config.embedDim(), false, (float) Math.pow(width, -0.5)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList in, boolean training, PairList<String, Object> params) {
        NDArray ids = in.get(0);
        NDArray lengths = in.get(1);
        int tokens = Math.toIntExact(ids.getShape().get(1));
        if (tokens > contextLength) {
            throw new IllegalArgumentException(tokens + " tokens exceed the context length " + contextLength);
        }
        NDArray table = store.getValue(tokenEmbedding, ids.getDevice(), training);
        NDArray x = ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).head()
                .add(Blocks.scoped(store.getValue(positionEmbedding, ids.getDevice(), training).get("0:" + tokens), ids));
        NDArray mask = SelfAttention.causalMask(ids.getManager(), tokens, x.getDataType());
        for (TransformerLayer layer : layers) {
            x = layer.forward(store, new NDList(x, mask), training).head();
        }
        x = Blocks.apply(finalLayerNorm, store, x, training);
        NDArray pooled = x.mul(poolingWeights(lengths, tokens, x.getDataType()).expandDims(2)).sum(new int[] {1});
        return new NDList(Blocks.apply(projection, store, pooled, training));
    }

    /** {@code [B, T]} weights that pool the token states: one-hot at the end token, or 1/length over real tokens. */
    private NDArray poolingWeights(NDArray lengths, int tokens, DataType dataType) {
        if (pooling == ModelConfig.TextPooling.END) {
            return lengths.sub(1).oneHot(tokens, dataType);
        }
        NDArray positions = lengths.getManager().arange(tokens).toType(DataType.INT64, false).expandDims(0);
        NDArray real = positions.lt(lengths.expandDims(1)).toType(dataType, false);
        return real.div(lengths.expandDims(1).toType(dataType, false));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        Shape hidden = new Shape(batch, inputShapes[0].get(1), width);
        for (TransformerLayer layer : layers) {
            layer.initialize(manager, dataType, hidden, new Shape(hidden.get(1), hidden.get(1)));
        }
        finalLayerNorm.initialize(manager, dataType, hidden);
        projection.initialize(manager, dataType, new Shape(batch, width));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), projection.outputs())};
    }
}
