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
 * Multi-head self-attention: {@code softmax(q·kᵀ/√d + mask)·v}, heads concatenated and projected. Input
 * {@code [B, T, width]} and, optionally, an additive mask {@code [T, T]}.
 */
public final class SelfAttention extends AbstractBlock {

    private final int width;
    private final int heads;
    private final Dense qProj;
    private final Dense kProj;
    private final Dense vProj;
    private final Dense outProj;

    /** @param outStd standard deviation of the output projection's initial weight (scaled down with depth) */
    public SelfAttention(int width, int heads, float outStd) {
        this.width = width;
        this.heads = heads;
        float std = (float) Math.pow(width, -0.5);
        this.qProj = addChildBlock("q_proj", new Dense(width, width, true, std));
        this.kProj = addChildBlock("k_proj", new Dense(width, width, true, std));
        this.vProj = addChildBlock("v_proj", new Dense(width, width, true, std));
        this.outProj = addChildBlock("out_proj", new Dense(width, width, true, outStd));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.get(0);
        NDArray mask = in.size() > 1 ? in.get(1) : null;
        long batch = x.getShape().get(0);
        long tokens = x.getShape().get(1);
        float scale = (float) Math.pow(width / heads, -0.5);
        NDArray q = splitHeads(Scalars.mul(Blocks.apply(qProj, store, x, training), scale), batch, tokens);
        NDArray k = splitHeads(Blocks.apply(kProj, store, x, training), batch, tokens);
        NDArray v = splitHeads(Blocks.apply(vProj, store, x, training), batch, tokens);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray attended = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, tokens, width);
        return new NDList(Blocks.apply(outProj, store, attended, training));
    }

    /** {@code [B, T, width]} to {@code [B, heads, T, width/heads]}. */
    private NDArray splitHeads(NDArray x, long batch, long tokens) {
        return x.reshape(batch, tokens, heads, width / heads).transpose(0, 2, 1, 3);
    }

    /** The additive causal mask for {@code tokens} positions: position i sees positions 0..i. */
    public static NDArray causalMask(NDManager manager, int tokens, DataType dataType) {
        float[] mask = new float[tokens * tokens];
        for (int i = 0; i < tokens; i++) {
            for (int j = i + 1; j < tokens; j++) {
                mask[i * tokens + j] = Blocks.MASKED;
            }
        }
        return manager.create(mask, new Shape(tokens, tokens)).toType(dataType, false);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Dense d : new Dense[] {qProj, kProj, vProj, outProj}) {
            d.initialize(manager, dataType, inputShapes[0]);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
