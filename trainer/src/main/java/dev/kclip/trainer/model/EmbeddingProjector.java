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
 * {@code W_e}: maps the student's text embedding into the teacher's embedding space, either linearly (the paper)
 * or through a small MLP ({@code fc1 → GELU → fc2}, as the author's code appears to).
 */
public final class EmbeddingProjector extends AbstractBlock {

    private final Dense fc1;
    private final Dense fc2;

    public EmbeddingProjector(ModelConfig config) {
        int in = config.embedDim();
        int out = config.teacherDim();
        if (config.projector() == ModelConfig.ProjectorKind.LINEAR) {
            this.fc1 = addChildBlock("linear", new Dense(in, out, true, (float) Math.pow(in, -0.5)));
            this.fc2 = null;
        } else {
            int hidden = config.projectorHidden();
            this.fc1 = addChildBlock("fc1", new Dense(in, hidden, true, (float) Math.pow(in, -0.5)));
            this.fc2 = addChildBlock("fc2", new Dense(hidden, out, true, (float) Math.pow(hidden, -0.5)));
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList in, boolean training, PairList<String, Object> params) {
        NDArray y = Blocks.apply(fc1, store, in.head(), training);
        if (fc2 != null) {
            y = Blocks.apply(fc2, store, y.getNDArrayInternal().gelu(), training);
        }
        return new NDList(y);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        fc1.initialize(manager, dataType, inputShapes);
        if (fc2 != null) {
            fc2.initialize(manager, dataType, fc1.getOutputShapes(inputShapes));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] hidden = fc1.getOutputShapes(inputShapes);
        return fc2 == null ? hidden : fc2.getOutputShapes(hidden);
    }
}
