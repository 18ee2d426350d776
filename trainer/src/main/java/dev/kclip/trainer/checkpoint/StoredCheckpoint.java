package dev.kclip.trainer.checkpoint;

import dev.kclip.formats.tokenizer.TokenizerJson;
import dev.kclip.trainer.model.ModelConfig;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A complete checkpoint directory and its manifest. Loaders open its files through {@link #file} and
 * {@link #model}, which give only files its manifest names (and {@link CheckpointStore#verify} checked).
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
     *
     * @throws NoSuchFileException when the tokenizer is a file and the manifest lists no copy of it: a file
     *     outside the checkpoint is never opened on a manifest's word
     */
    public ModelConfig model() throws NoSuchFileException {
        ModelConfig recorded = manifest.model();
        if (manifest.files().containsKey(TOKENIZER_FILE)) {
            return recorded.withTokenizer(directory.resolve(TOKENIZER_FILE).toString());
        }
        if (recorded.tokenizer().startsWith(TokenizerJson.CLASSPATH)) {
            return recorded;
        }
        throw new NoSuchFileException(directory.resolve(TOKENIZER_FILE).toString(), null, "the model's tokenizer is "
                + recorded.tokenizer() + ", outside the checkpoint, and its manifest lists no " + TOKENIZER_FILE);
    }

    public long version() {
        return manifest.version();
    }

    /**
     * A file of the checkpoint its manifest lists.
     *
     * @throws NoSuchFileException when the manifest does not list {@code name}
     */
    public Path file(String name) throws NoSuchFileException {
        if (!manifest.files().containsKey(name)) {
            throw new NoSuchFileException(directory.resolve(name).toString(), null,
                    "not listed in " + CheckpointStore.MANIFEST + ", so not verified and not read");
        }
        return directory.resolve(name);
    }
}
