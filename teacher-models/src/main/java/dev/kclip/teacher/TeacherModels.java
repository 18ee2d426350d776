package dev.kclip.teacher;

import dev.kclip.teacher.llama.LlamaTeacher;
import dev.kclip.teacher.onnx.OnnxMiniLmTeacher;
import dev.kclip.teacher.torchscript.TorchScriptTeacher;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Creates a teacher from a model spec string:
 * <ul>
 *   <li>{@code onnx-minilm} — all-MiniLM-L6-v2 (int8 ONNX bundled in the Maven jar), on DJL's OnnxRuntime engine;</li>
 *   <li>{@code llama:DIR} — a Hugging Face Llama directory (config.json, safetensors, tokenizer.json);</li>
 *   <li>{@code llama2c:FILE} — a llama2.c checkpoint;</li>
 *   <li>{@code torchscript:FILE} — a TorchScript text encoder with a tokenizer.json beside it.</li>
 * </ul>
 */
public final class TeacherModels {

    /** One line per spec form, for help texts and error messages. */
    public static final String SPECS = OnnxMiniLmTeacher.SPEC + " | " + LlamaTeacher.HF_PREFIX + "DIR | "
            + LlamaTeacher.LLAMA2C_PREFIX + "FILE | " + TorchScriptTeacher.PREFIX + "FILE";

    private TeacherModels() {
    }

    /**
     * Loads the teacher {@code spec} names with the default options (CPU, mean pooling of the last hidden state).
     *
     * @throws IllegalArgumentException for an unknown spec or a missing model file
     */
    public static TeacherModel load(String spec) {
        return load(spec, TeacherOptions.defaults());
    }

    /**
     * Loads the teacher {@code spec} names.
     *
     * @throws IllegalArgumentException for an unknown spec, a missing model file, or options the teacher cannot honour
     */
    public static TeacherModel load(String spec, TeacherOptions options) {
        if (spec.equals(OnnxMiniLmTeacher.SPEC)) {
            if (!options.defaultEmbedding() || options.device().isGpu()) {
                throw new IllegalArgumentException(OnnxMiniLmTeacher.SPEC + " runs on the CPU with its own "
                        + "sentence-transformers pooling; --device, --pooling, --layer and --l2 apply to llama teachers");
            }
            return OnnxMiniLmTeacher.load();
        }
        Devices.requireAvailable(options.device());
        if (spec.startsWith(LlamaTeacher.HF_PREFIX)) {
            Path dir = Path.of(spec.substring(LlamaTeacher.HF_PREFIX.length()));
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("model directory " + dir + " does not exist");
            }
            return LlamaTeacher.loadHuggingFace(dir, options);
        }
        if (spec.startsWith(LlamaTeacher.LLAMA2C_PREFIX)) {
            return LlamaTeacher.loadLlama2c(existingFile(spec, LlamaTeacher.LLAMA2C_PREFIX), options);
        }
        if (spec.startsWith(TorchScriptTeacher.PREFIX)) {
            if (options.pooling() != Pooling.MEAN || options.hiddenLayer() != TeacherOptions.LAST_LAYER) {
                throw new IllegalArgumentException("a TorchScript teacher pools its own output; only --device and --l2 apply");
            }
            return TorchScriptTeacher.load(existingFile(spec, TorchScriptTeacher.PREFIX), options);
        }
        throw new IllegalArgumentException("unknown teacher model spec '" + spec + "'; expected " + SPECS);
    }

    private static Path existingFile(String spec, String prefix) {
        Path file = Path.of(spec.substring(prefix.length()));
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file " + file + " does not exist");
        }
        return file;
    }
}
