package dev.kclip.trainer.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link KnowledgeClip} with its weights on one device of the PyTorch engine, and the per-step scope in which
 * batches go through it. Weights are float32; with {@link Precision#MIXED} each step computes on float16 copies.
 *
 * <p>Not thread-safe: one training or evaluation thread owns a model.
 */
public final class StudentModel implements AutoCloseable {

    /** The engine every array of the trainer lives in. */
    public static final String ENGINE = "PyTorch";

    private final ModelConfig config;
    private final Device device;
    private final Precision precision;
    private final NDManager manager;
    private final KnowledgeClip block;

    private StudentModel(ModelConfig config, Device device, Precision precision, NDManager manager, KnowledgeClip block) {
        this.config = config;
        this.device = device;
        this.precision = precision;
        this.manager = manager;
        this.block = block;
    }

    /**
     * A freshly initialised student.
     *
     * @param seed seeds PyTorch's generator first, so the same seed gives the same initial weights
     */
    public static StudentModel create(ModelConfig config, Device device, Precision precision, long seed) {
        Engine.getEngine(ENGINE).setRandomSeed((int) seed);
        NDManager manager = NDManager.newBaseManager(device, ENGINE);
        KnowledgeClip block = new KnowledgeClip(config);
        block.initialize(manager, DataType.FLOAT32, block.exampleInputShapes());
        return new StudentModel(config, device, checked(precision, device), manager, block);
    }

    /** A student with the weights {@link #save} wrote; {@code config} must be the one they were saved with. */
    public static StudentModel load(ModelConfig config, Device device, Precision precision, InputStream weights)
            throws IOException {
        NDManager manager = NDManager.newBaseManager(device, ENGINE);
        KnowledgeClip block = new KnowledgeClip(config);
        try {
            List<Shape> declared = block.getParameters().values().stream().map(Parameter::getShape).toList();
            block.loadParameters(manager, new DataInputStream(weights));
            // DJL takes each shape from the file: a config the weights do not fit would only fail at the first step
            ParameterList loaded = block.getParameters();
            for (int i = 0; i < loaded.size(); i++) {
                Shape shape = loaded.get(i).getValue().getArray().getShape();
                if (declared.get(i) != null && !declared.get(i).equals(shape)) {
                    throw new MalformedModelException("parameter " + loaded.keys().get(i) + " has shape " + shape
                            + " in the weights, the config makes it " + declared.get(i));
                }
            }
        } catch (MalformedModelException | RuntimeException e) {
            manager.close();
            throw new IOException("weights do not fit model config " + config.name() + ": " + e.getMessage(), e);
        }
        // DJL's loader does not mark loaded weights as trainable
        for (Parameter p : block.getParameters().values()) {
            p.initialize(manager, DataType.FLOAT32);
        }
        return new StudentModel(config, device, checked(precision, device), manager, block);
    }

    private static Precision checked(Precision precision, Device device) {
        if (precision == Precision.MIXED && !device.isGpu()) {
            throw new IllegalArgumentException("mixed precision needs a GPU; on " + device + " use FP32");
        }
        return precision;
    }

    /** Writes the weights (DJL's parameter format). */
    public void save(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        block.saveParameters(data);
        data.flush();
    }

    /** The configuration, with K as it is now. */
    public ModelConfig config() {
        return config.withData(config.teacherDim(), block.conceptClassifier().concepts());
    }

    public Device device() {
        return device;
    }

    public Precision precision() {
        return precision;
    }

    public KnowledgeClip block() {
        return block;
    }

    /** The model's own manager: arrays made here live as long as the model (optimizer state). */
    public NDManager manager() {
        return manager;
    }

    /** Every weight by its dotted name ({@code visual.layers.0.self_attn.q_proj.weight}), in a fixed order. */
    public Map<String, Parameter> parameters() {
        return Blocks.namedParameters(block);
    }

    /** Changes the classifier's K following {@code plan} (see {@link RowRemap#forConcepts}). */
    public void resizeConcepts(RowRemap plan) {
        block.conceptClassifier().resize(plan, manager);
    }

    /** Opens the scope of one batch: every array it creates is freed when it closes. */
    public Step step(boolean training) {
        return new Step(training);
    }

    @Override
    public void close() {
        manager.close();
    }

    /** One batch through the model. Close it when done. */
    public final class Step implements AutoCloseable {

        private final NDManager scope;
        private final ParameterStore store;
        private final boolean training;

        private Step(boolean training) {
            // PyTorch's grad mode is per thread and on in new threads; outside a GradientCollector nothing may
            // record a graph (AdamW updates weights in place, evaluation needs no graph)
            JniUtils.setGradMode(false);
            this.training = training;
            this.scope = manager.newSubManager();
            this.store = precision == Precision.MIXED ? new HalfPrecisionStore(scope) : new ParameterStore(scope, false);
        }

        /** The manager of this step's arrays. */
        public NDManager manager() {
            return scope;
        }

        /** Pixels {@code [B, 3, S, S]} in the compute type. */
        public NDArray images(float[] chw, int batch) {
            int s = config.imageSize();
            return computeType(scope.create(chw, new Shape(batch, 3, s, s)));
        }

        /** Token ids {@code [B, T]} as int64. */
        public NDArray tokens(long[] ids, int batch) {
            return scope.create(ids, new Shape(batch, ids.length / batch));
        }

        /** Lengths {@code [B]} as int64. */
        public NDArray lengths(long[] lengths) {
            return scope.create(lengths);
        }

        /** A float32 array {@code [rows, values.length / rows]} (targets: teacher vectors, soft labels). */
        public NDArray matrix(float[] values, int rows) {
            return scope.create(values, new Shape(rows, values.length / rows));
        }

        public KnowledgeClip.Outputs forward(NDArray images, NDArray tokens, NDArray lengths) {
            return block.forward(store, images, tokens, lengths, training);
        }

        public NDArray encodeImages(NDArray images) {
            return block.encodeImages(store, images, training);
        }

        public NDArray encodeTexts(NDArray tokens, NDArray lengths) {
            return block.encodeTexts(store, tokens, lengths, training);
        }

        public NDArray projectToTeacher(NDArray textFeatures) {
            return block.projectToTeacher(store, textFeatures, training);
        }

        public NDArray classifyConcepts(NDArray imageFeatures, NDArray textFeatures) {
            return block.classifyConcepts(store, imageFeatures, textFeatures, training);
        }

        /**
         * The gradient of every weight after a backward pass, float32, by name; weights the pass did not reach
         * are absent. In mixed precision these are still multiplied by the loss scale.
         */
        public Map<String, NDArray> gradients() {
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : parameters().entrySet()) {
                NDArray source = store instanceof HalfPrecisionStore half
                        ? half.copyOf(e.getValue()) : e.getValue().getArray();
                if (source == null || !source.hasGradient()) {
                    continue;
                }
                NDArray gradient = source.getGradient();
                gradient.attach(scope);
                if (gradient.getDataType() != DataType.FLOAT32) {
                    gradient = gradient.toType(DataType.FLOAT32, true);
                }
                gradients.put(e.getKey(), gradient);
            }
            return gradients;
        }

        private NDArray computeType(NDArray x) {
            return precision == Precision.MIXED ? x.toType(DataType.FLOAT16, false) : x;
        }

        /** Frees the step's arrays and clears the float32 weights' gradients for the next step. */
        @Override
        public void close() {
            if (training && precision == Precision.FP32) {
                for (Parameter p : parameters().values()) {
                    if (p.getArray().hasGradient()) {
                        JniUtils.zeroGrad((PtNDArray) p.getArray());
                    }
                }
            }
            scope.close();
        }
    }
}
