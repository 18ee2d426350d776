package dev.kclip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Layer normalisation over the last axis, parameters named {@code weight} and {@code bias} as in PyTorch. */
public final class Norm extends AbstractBlock {

    private final int width;
    private final float epsilon;
    private final Parameter weight;
    private final Parameter bias;

    /** @param epsilon added to the variance ({@link ModelConfig#layerNormEpsilon()}) */
    public Norm(int width, double epsilon) {
        this.width = width;
        this.epsilon = (float) epsilon;
        this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(width)).build());
        this.bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA)
                .optShape(new Shape(width)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.head();
        return x.getNDArrayInternal().layerNorm(x, new Shape(width),
                store.getValue(weight, x.getDevice(), training), store.getValue(bias, x.getDevice(), training), epsilon);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
