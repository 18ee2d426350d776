package dev.kclip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * {@code y = x·Wᵀ + b} over the last axis, with PyTorch's layout ({@code weight} is {@code [out, in]}) so weights
 * export under Hugging Face's names unchanged. The weight starts normal with the given standard deviation.
 */
public final class Dense extends AbstractBlock {

    private final int inputs;
    private final int outputs;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param withBias false for CLIP's projections, which have none
     * @param std standard deviation of the initial weight
     */
    public Dense(int inputs, int outputs, boolean withBias, float std) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(outputs, inputs)).optInitializer(new NormalInitializer(std)).build());
        this.bias = withBias
                ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                        .optShape(new Shape(outputs)).build())
                : null;
    }

    public int inputs() {
        return inputs;
    }

    public int outputs() {
        return outputs;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.head();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        if (bias == null) {
            return Linear.linear(x, w);
        }
        return Linear.linear(x, w, store.getValue(bias, x.getDevice(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outputs)};
    }
}
