package dev.kclip.trainer.checkpoint;

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

    public long version() {
        return manifest.version();
    }

    public Path file(String name) {
        return directory.resolve(name);
    }
}
