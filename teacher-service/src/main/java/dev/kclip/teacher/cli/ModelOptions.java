package dev.kclip.teacher.cli;

import dev.kclip.teacher.Devices;
import dev.kclip.teacher.Pooling;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.TeacherOptions;
import dev.kclip.teacher.onnx.OnnxMiniLmTeacher;
import picocli.CommandLine.Option;

/** Which teacher to load and how it embeds: the options {@code serve}, {@code embed} and {@code bench} share. */
public final class ModelOptions {

    /** Where the defaults come from: written once, in {@link TeacherOptions#defaults}. */
    static final TeacherOptions DEFAULTS = TeacherOptions.defaults();
    /** {@code cpu}: the default device as {@code --device} spells it. */
    static final String DEFAULT_DEVICE = DEFAULTS.device().getDeviceType();

    @Option(names = "--model", paramLabel = "SPEC",
            description = "Teacher: " + TeacherModels.SPECS + " (default: ${DEFAULT-VALUE}).")
    String spec = OnnxMiniLmTeacher.SPEC;

    @Option(names = "--device", paramLabel = "cpu|gpu|gpu:N",
            description = "Where the model runs: cpu (float32) or a CUDA GPU (float16; needs the -Pgpu build). "
                    + "Default: ${DEFAULT-VALUE}.")
    String device = DEFAULT_DEVICE;

    @Option(names = "--pooling", paramLabel = "mean|last",
            description = "Llama teachers: mean over the caption's tokens after BOS (default) or the last token's "
                    + "hidden state.")
    Pooling pooling = DEFAULTS.pooling();

    @Option(names = "--layer", paramLabel = "N",
            description = "Llama teachers: hidden state to pool, numbered like Hugging Face's hidden_states "
                    + "(0 = embeddings, -1 = last, after the final norm; default: ${DEFAULT-VALUE}).")
    int layer = DEFAULTS.hiddenLayer();

    @Option(names = "--l2", description = "Normalise every vector to unit length (llama and torchscript teachers).")
    boolean l2 = DEFAULTS.l2Normalize();

    /** The teacher options these flags describe. */
    public TeacherOptions options() {
        return new TeacherOptions(Devices.parse(device), pooling, layer, l2);
    }

    public String spec() {
        return spec;
    }
}
