package dev.kclip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * {@code C}: logits over the K concepts of the concept updater, from the student's embedding(s). Its rows follow
 * the concepts: {@link #resize} changes K and keeps the rows of concepts that survive.
 */
public final class ConceptClassifier extends AbstractBlock {

    private final int inputs;
    private int concepts;
    private Parameter weight;
    private Parameter bias;

    public ConceptClassifier(int inputs, int concepts) {
        this.inputs = inputs;
        this.concepts = concepts;
        this.weight = addParameter(weightParameter(concepts, null));
        this.bias = addParameter(biasParameter(concepts, null));
    }

    /** K, the number of concepts (rows). */
    public int concepts() {
        return concepts;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.head();
        return Linear.linear(x, store.getValue(weight, x.getDevice(), training), store.getValue(bias, x.getDevice(), training));
    }

    /**
     * Gives the classifier {@code plan.newRows()} rows: row i copies old row {@code plan.source(i)}, or starts
     * fresh (normal weight, zero bias) where the plan has none. Arrays stay on the device of the old ones.
     */
    public void resize(RowRemap plan, NDManager manager) {
        NDArray oldWeight = weight.getArray();
        NDArray oldBias = bias.getArray();
        NDArray newWeight = new NormalInitializer(initStd()).initialize(manager, new Shape(plan.newRows(), inputs), DataType.FLOAT32);
        NDArray newBias = manager.zeros(new Shape(plan.newRows()));
        plan.copyRows(oldWeight, newWeight);
        plan.copyRows(oldBias, newBias);
        weight = weightParameter(plan.newRows(), newWeight);
        bias = biasParameter(plan.newRows(), newBias);
        weight.initialize(manager, DataType.FLOAT32);
        bias.initialize(manager, DataType.FLOAT32);
        // same names, same order: saved parameters stay loadable once K is known
        parameters.put("weight", weight);
        parameters.put("bias", bias);
        oldWeight.close();
        oldBias.close();
        concepts = plan.newRows();
    }

    private float initStd() {
        return (float) Math.pow(inputs, -0.5);
    }

    private Parameter weightParameter(int rows, NDArray array) {
        return Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(rows, inputs)).optArray(array)
                .optInitializer(new NormalInitializer(initStd())).build();
    }

    private static Parameter biasParameter(int rows, NDArray array) {
        return Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(rows)).optArray(array).build();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), concepts)};
    }
}
