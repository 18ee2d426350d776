package dev.kclip.teacher.cli;

import dev.kclip.teacher.Pooling;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.TeacherOptions;
import picocli.CommandLine.Option;

/** Which teacher to load and how it embeds: the options {@code serve}, {@code embed} and {@code bench} share. */
public final class ModelOptions {

    @Option(names = "--model", defaultValue = "onnx-minilm", paramLabel = "SPEC",
            description = "Teacher: " + TeacherModels.SPECS + " (default: ${DEFAULT-VALUE}).")
    String spec;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu|gpu:N",
            description = "Where the model runs: cpu (float32) or a CUDA GPU (float16; needs the -Pgpu build). "
                    + "Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--pooling", defaultValue = "mean", paramLabel = "mean|last",
            description = "Llama teachers: mean over the caption's tokens (default) or the last token's hidden state.")
    Pooling pooling;

    @Option(names = "--layer", defaultValue = "-1", paramLabel = "N",
            description = "Llama teachers: hidden state to pool, numbered like Hugging Face's hidden_states "
                    + "(0 = embeddings, -1 = last, after the final norm; default: ${DEFAULT-VALUE}).")
    int layer;

    @Option(names = "--l2", description = "Normalise every vector to unit length (llama and torchscript teachers).")
    boolean l2;

    /** The teacher options these flags describe. */
    public TeacherOptions options() {
        return new TeacherOptions(TeacherOptions.parseDevice(device), pooling, layer, l2);
    }

    public String spec() {
        return spec;
    }
}
