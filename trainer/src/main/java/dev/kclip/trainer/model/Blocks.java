package dev.kclip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers shared by the student's blocks. */
public final class Blocks {

    /** Added to attention scores that must be ignored; finite so it also fits float16. */
    static final float MASKED = -1e4f;

    private Blocks() {
    }

    /** Runs {@code block} on one array and returns its one output. */
    static NDArray apply(Block block, ParameterStore store, NDArray x, boolean training) {
        return block.forward(store, new NDList(x), training).head();
    }

    /**
     * Hands {@code derived}, computed from a parameter, to the manager of the batch's {@code input}. DJL attaches a
     * result to the manager of the array the operation was called on; for a parameter that is the model's own
     * manager, which lives as long as the model, so per-step results would pile up there.
     */
    static NDArray scoped(NDArray derived, NDArray input) {
        derived.attach(input.getManager());
        return derived;
    }

    /** The blocks' MLP activation: CLIP's {@code x · σ(1.702 x)}, or the exact GELU. */
    static NDArray activation(ModelConfig.Activation kind, NDArray x) {
        if (kind == ModelConfig.Activation.GELU) {
            return x.getNDArrayInternal().gelu();
        }
        return x.mul(Scalars.mul(x, 1.702).getNDArrayInternal().sigmoid());
    }

    /**
     * Float32 view of {@code x} that keeps the autograd graph. DJL's {@code toType} detaches, so mixed-precision
     * outputs are widened by type promotion instead (adding a float32 zero).
     */
    static NDArray toFloat32(NDArray x) {
        if (x.getDataType() == DataType.FLOAT32) {
            return x;
        }
        return x.add(x.getManager().zeros(new Shape(1), DataType.FLOAT32));
    }

    /**
     * Every parameter of {@code root} under a dotted path of block names ({@code text.layers.0.self_attn.q_proj.weight}),
     * stable across runs; DJL's own names carry child indexes and an underscore separator.
     */
    public static Map<String, Parameter> namedParameters(Block root) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect(root, "", out);
        return out;
    }

    private static void collect(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.put(prefix + p.getKey(), p.getValue());
        }
        for (Pair<String, Block> child : block.getChildren()) {
            // AbstractBlock prefixes child names with a two-digit position ("01visual")
            String name = child.getKey().replaceFirst("^\\d{2}", "");
            collect(child.getValue(), prefix + name + ".", out);
        }
    }
}
