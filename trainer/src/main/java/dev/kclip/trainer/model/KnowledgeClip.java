package dev.kclip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * The Knowledge-CLIP student (PAPER.md, Figure 1): image encoder {@code E_I}, text encoder {@code E_T}, the
 * learnable temperature, the projector {@code W_e} into the teacher's space, and the concept classifier {@code C}.
 * <pre>
 * I_f = E_I(image)          T_f = E_T(caption)
 * scale = min(exp(logit_scale), 100)        logit_scale starts at ln(1/0.07), or the pretrained CLIP's
 * teacher_prediction = W_e(normalize(T_f))
 * concept_logits = C(normalize(I_f) ‖ normalize(T_f))     or one of them, per configuration
 * </pre>
 * Inputs: images {@code [B, 3, S, S]}, token ids {@code [B, T]}, lengths {@code [B]}. Outputs, all float32:
 * {@code I_f [B, E]}, {@code T_f [B, E]}, {@code W_e(..) [B, D]}, {@code C(..) [B, K]}, {@code scale [1]}.
 */
public final class KnowledgeClip extends AbstractBlock {

    /** CLIP's initial temperature 0.07, as the log of its inverse. */
    public static final float INITIAL_LOGIT_SCALE = (float) Math.log(1 / 0.07);
    /** CLIP clamps the logit scale at 100. */
    public static final float MAX_SCALE = 100f;

    private final ModelConfig config;
    private final VisionTransformer visual;
    private final TextTransformer text;
    private final EmbeddingProjector embeddingProjector;
    private final ConceptClassifier conceptClassifier;
    private final Parameter logitScale;

    public KnowledgeClip(ModelConfig config) {
        if (!config.complete()) {
            throw new IllegalArgumentException("the model needs teacherDim and conceptCount; got "
                    + config.teacherDim() + " and " + config.conceptCount());
        }
        this.config = config;
        this.visual = addChildBlock("visual", new VisionTransformer(config));
        this.text = addChildBlock("text", new TextTransformer(config));
        this.embeddingProjector = addChildBlock("embedding_projector", new EmbeddingProjector(config));
        this.conceptClassifier = addChildBlock("concept_classifier",
                new ConceptClassifier(config.classifierInputWidth(), config.conceptCount()));
        this.logitScale = addParameter(Parameter.builder().setName("logit_scale").setType(Parameter.Type.OTHER)
                .optShape(new Shape(1)).optInitializer(new ConstantInitializer(INITIAL_LOGIT_SCALE)).build());
    }

    /** The outputs of one forward pass. */
    public record Outputs(NDArray imageFeatures, NDArray textFeatures, NDArray teacherPrediction,
            NDArray conceptLogits, NDArray scale) {
    }

    public ModelConfig config() {
        return config;
    }

    public ConceptClassifier conceptClassifier() {
        return conceptClassifier;
    }

    /** Runs the whole student on a batch. */
    public Outputs forward(ParameterStore store, NDArray images, NDArray tokens, NDArray lengths, boolean training) {
        NDList out = forward(store, new NDList(images, tokens, lengths), training);
        return new Outputs(out.get(0), out.get(1), out.get(2), out.get(3), out.get(4));
    }

    /** {@code E_I(images)}, float32 {@code [B, E]}. */
    public NDArray encodeImages(ParameterStore store, NDArray images, boolean training) {
        return Blocks.toFloat32(Blocks.apply(visual, store, images, training));
    }

    /** {@code E_T(tokens)}, float32 {@code [B, E]}. */
    public NDArray encodeTexts(ParameterStore store, NDArray tokens, NDArray lengths, boolean training) {
        return Blocks.toFloat32(text.forward(store, new NDList(tokens, lengths), training).head());
    }

    /**
     * {@code W_e(normalize(T_f))}, float32 {@code [B, D]}. {@code W_e} reads the unit text embedding, the one the
     * contrastive loss compares, so the distillation target and the shared space agree in scale from the start.
     */
    public NDArray projectToTeacher(ParameterStore store, NDArray textFeatures, boolean training) {
        return Blocks.toFloat32(Blocks.apply(embeddingProjector, store, textFeatures.normalize(2, -1), training));
    }

    /** {@code C(..)} on the configured input, float32 {@code [B, K]}. */
    public NDArray classifyConcepts(ParameterStore store, NDArray imageFeatures, NDArray textFeatures, boolean training) {
        NDArray input = switch (config.classifierInput()) {
            case TEXT -> textFeatures.normalize(2, -1);
            case IMAGE -> imageFeatures.normalize(2, -1);
            case BOTH -> NDArrays.concat(new NDList(imageFeatures.normalize(2, -1), textFeatures.normalize(2, -1)), 1);
        };
        return Blocks.toFloat32(Blocks.apply(conceptClassifier, store, input, training));
    }

    /** {@code min(exp(logit_scale), 100)}, float32 {@code [1]}. */
    public NDArray scale(ParameterStore store, NDArray like, boolean training) {
        NDArray t = Blocks.scoped(store.getValue(logitScale, like.getDevice(), training).exp(), like);
        return Blocks.toFloat32(t.clip(0, MAX_SCALE));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList in, boolean training, PairList<String, Object> params) {
        NDArray imageFeatures = Blocks.apply(visual, store, in.get(0), training);
        NDArray textFeatures = text.forward(store, new NDList(in.get(1), in.get(2)), training).head();
        NDArray teacherPrediction = projectToTeacher(store, textFeatures, training);
        NDArray conceptLogits = classifyConcepts(store, imageFeatures, textFeatures, training);
        return new NDList(Blocks.toFloat32(imageFeatures), Blocks.toFloat32(textFeatures), teacherPrediction,
                conceptLogits, scale(store, in.get(0), training));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        visual.initialize(manager, dataType, inputShapes[0]);
        text.initialize(manager, dataType, inputShapes[1], inputShapes[2]);
        Shape features = new Shape(batch, config.embedDim());
        embeddingProjector.initialize(manager, dataType, features);
        conceptClassifier.initialize(manager, dataType, new Shape(batch, config.classifierInputWidth()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        return new Shape[] {new Shape(batch, config.embedDim()), new Shape(batch, config.embedDim()),
            new Shape(batch, config.teacherDim()), new Shape(batch, conceptClassifier.concepts()), new Shape(1)};
    }

    /** Example input shapes for {@link #initialize}: a batch of one caption of {@code contextLength} tokens. */
    public Shape[] exampleInputShapes() {
        return new Shape[] {new Shape(1, 3, config.imageSize(), config.imageSize()),
            new Shape(1, config.contextLength()), new Shape(1)};
    }
}
