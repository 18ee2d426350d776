package dev.kclip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-LN transformer block, as in CLIP:
 * <pre>
 * x = x + self_attn(layer_norm1(x), mask)
 * x = x + fc2(activation(fc1(layer_norm2(x))))        activation: quick_gelu (CLIP) or gelu
 * </pre>
 * Input {@code [B, T, width]} and an optional additive mask {@code [T, T]}.
 */
public final class TransformerLayer extends AbstractBlock {

    private final Norm layerNorm1;
    private final SelfAttention selfAttn;
    private final Norm layerNorm2;
    private final Dense fc1;
    private final Dense fc2;
    private final ModelConfig.Activation activation;

    /**
     * @param intermediate hidden size of the MLP
     * @param depth layers in the tower, to scale down the initial residual projections as CLIP does
     * @param epsilon of both layer normalisations
     */
    public TransformerLayer(int width, int heads, int intermediate, int depth, ModelConfig.Activation activation,
            double epsilon) {
        this.activation = activation;
        float residualStd = (float) (Math.pow(width, -0.5) * Math.pow(2.0 * depth, -0.5));
        this.layerNorm1 = addChildBlock("layer_norm1", new Norm(width, epsilon));
        this.selfAttn = addChildBlock("self_attn", new SelfAttention(width, heads, residualStd));
        this.layerNorm2 = addChildBlock("layer_norm2", new Norm(width, epsilon));
        this.fc1 = addChildBlock("mlp.fc1", new Dense(width, intermediate, true, (float) Math.pow(2.0 * width, -0.5)));
        this.fc2 = addChildBlock("mlp.fc2", new Dense(intermediate, width, true, residualStd));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.get(0);
        NDList attnIn = new NDList(Blocks.apply(layerNorm1, store, x, training));
        if (in.size() > 1) {
            attnIn.add(in.get(1));
        }
        x = x.add(selfAttn.forward(store, attnIn, training).head());
        NDArray hidden = Blocks.activation(activation,
                Blocks.apply(fc1, store, Blocks.apply(layerNorm2, store, x, training), training));
        x = x.add(Blocks.apply(fc2, store, hidden, training));
        return new NDList(x);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        layerNorm1.initialize(manager, dataType, x);
        selfAttn.initialize(manager, dataType, inputShapes);
        layerNorm2.initialize(manager, dataType, x);
        fc1.initialize(manager, dataType, x);
        fc2.initialize(manager, dataType, fc1.getOutputShapes(new Shape[] {x}));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
