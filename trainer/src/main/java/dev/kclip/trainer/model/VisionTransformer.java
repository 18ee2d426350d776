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
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The image encoder {@code E_I}, a Vision Transformer as in CLIP:
 * <pre>
 * x = [class_embedding; patches · patch_embedding] + position_embedding
 * x = layers(pre_layrnorm(x))
 * E_I(image) = projection(post_layernorm(x[:, 0]))
 * </pre>
 * The patch embedding is CLIP's stride-p convolution without bias, computed as one matrix product over the
 * flattened patches; its weight keeps the convolution's {@code [width, 3, p, p]} shape. Input {@code [B, 3, S, S]},
 * normalised; output {@code [B, embedDim]}, not normalised.
 */
public final class VisionTransformer extends AbstractBlock {

    private final int width;
    private final int patchSize;
    private final int grid;
    private final Parameter classEmbedding;
    private final Parameter patchEmbedding;
    private final Parameter positionEmbedding;
    private final Norm preLayerNorm;
    private final List<TransformerLayer> layers = new ArrayList<>();
    private final Norm postLayerNorm;
    private final Dense projection;

    public VisionTransformer(ModelConfig config) {
        this.width = config.visionWidth();
        this.patchSize = config.patchSize();
        this.grid = config.gridSize();
        float std = (float) Math.pow(width, -0.5);
        this.classEmbedding = addParameter(Parameter.builder().setName("class_embedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(width)).optInitializer(new NormalInitializer(std)).build());
        this.patchEmbedding = addParameter(Parameter.builder().setName("patch_embedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(width, 3, patchSize, patchSize))
                .optInitializer(new NormalInitializer((float) Math.pow(3.0 * patchSize * patchSize, -0.5))).build());
        this.positionEmbedding = addParameter(Parameter.builder().setName("position_embedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape((long) grid * grid + 1, width))
                .optInitializer(new NormalInitializer(std)).build());
        this.preLayerNorm = addChildBlock("pre_layrnorm", new Norm(width, config.layerNormEpsilon()));
        for (int i = 0; i < config.visionLayers(); i++) {
            layers.add(addChildBlock("layers." + i,
                    new TransformerLayer(width, config.visionHeads(), config.visionMlpWidth(), config.visionLayers(),
                            config.activation(), config.layerNormEpsilon())));
        }
        this.postLayerNorm = addChildBlock("post_layernorm", new Norm(width, config.layerNormEpsilon()));
        this.projection = addChildBlock("projection", new Dense(width, config.embedDim(), false, std));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList in, boolean training, PairList<String, Object> params) {
        NDArray images = in.head();
        long batch = images.getShape().get(0);
        int patchPixels = 3 * patchSize * patchSize;
        NDArray patches = images.reshape(batch, 3, grid, patchSize, grid, patchSize)
                .transpose(0, 2, 4, 1, 3, 5)
                .reshape(batch, (long) grid * grid, patchPixels);
        NDArray kernel = Blocks.scoped(store.getValue(patchEmbedding, images.getDevice(), training)
                .reshape(width, patchPixels), images);
        NDArray x = patches.matMul(kernel.transpose());
        NDArray cls = Blocks.scoped(store.getValue(classEmbedding, images.getDevice(), training).reshape(1, 1, width)
                .broadcast(new Shape(batch, 1, width)), images);
        x = NDArrays.concat(new NDList(cls, x), 1)
                .add(store.getValue(positionEmbedding, images.getDevice(), training));
        x = Blocks.apply(preLayerNorm, store, x, training);
        for (TransformerLayer layer : layers) {
            x = Blocks.apply(layer, store, x, training);
        }
        NDArray pooled = Blocks.apply(postLayerNorm, store, x.get(":, 0, :"), training);
        return new NDList(Blocks.apply(projection, store, pooled, training));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        Shape tokens = new Shape(batch, (long) grid * grid + 1, width);
        preLayerNorm.initialize(manager, dataType, tokens);
        for (TransformerLayer layer : layers) {
            layer.initialize(manager, dataType, tokens);
        }
        postLayerNorm.initialize(manager, dataType, new Shape(batch, width));
        projection.initialize(manager, dataType, new Shape(batch, width));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), projection.outputs())};
    }
}
