package dev.kclip.trainer.checkpoint;

import dev.kclip.trainer.model.ModelConfig;
import java.nio.file.Files;

import java.nio.file.Path;

/**
 * A complete checkpoint directory and its manifest.
 *
 * @param manifestSha256 SHA-256 (hex) of {@code checkpoint.json}, which holds the SHA-256 of every other file
 */
public record StoredCheckpoint(Path directory, CheckpointManifest manifest, String manifestSha256) {

    /** The student's weights, in DJL's parameter format. */
    public static final String WEIGHTS_FILE = "weights.params";
    /** AdamW's moments, as safetensors ({@code m/NAME}, {@code v/NAME}). */
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";

    /**
     * A copy of the student's {@code tokenizer.json}, written when the tokenizer is a file (a pretrained
     * directory's) rather than a bundled resource, so the checkpoint does not depend on where that file was.
     */
    public static final String TOKENIZER_FILE = "tokenizer.json";

    /**
     * The model configuration to build this checkpoint's student from: the manifest's, with the tokenizer read from
     * the checkpoint's own copy when it has one (the manifest keeps naming the original file, a record of origin).
     */
    public ModelConfig model() {
        ModelConfig recorded = manifest.model();
        Path copy = directory.resolve(TOKENIZER_FILE);
        return Files.isRegularFile(copy) ? recorded.withTokenizer(copy.toString()) : recorded;
    }

    public long version() {
        return manifest.version();
    }

    public Path file(String name) {
        return directory.resolve(name);
    }
}
