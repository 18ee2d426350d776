package dev.kclip.trainer.pretrain;

import dev.kclip.formats.safetensors.StoredType;
import java.nio.file.Path;

/**
 * How {@code kclip train pretrain} trains a base student offline.
 *
 * @param dataset a JSON Lines corpus ({@code image}, {@code caption}; {@code keywords}, {@code subcategory} and the
 *     label field give caption variants when present)
 * @param out the directory the base is written to (Hugging Face CLIPModel layout, a {@code --init} directory)
 * @param model the student configuration: {@code tiny}, {@code vit-b-32} or a JSON file
 * @param epochs passes over the shuffled corpus
 * @param maxSteps stop after this many steps (0: the epochs decide)
 * @param batchSize pairs per step (a last partial batch of an epoch is left for the next shuffle)
 * @param learningRate AdamW's peak rate after warm-up; a cosine decay runs over the rest of the steps
 * @param warmupSteps linear warm-up, at most a tenth of the run
 * @param alpha weight of the distillation loss (MSE to the teacher's normalised caption vector)
 * @param gamma weight of the contrastive loss
 * @param seed initial weights, shuffling, caption choice and augmentation
 * @param teacher the teacher spec whose caption embeddings the student distils ({@code onnx-minilm})
 * @param heldOutShare share of pair ids (by hash) never trained on, evaluated at the end
 * @param limit read only the first N pairs (0: all), for tests
 * @param dtype how the exported weights are stored: F16 (half the size) or F32
 * @param labelField the field naming a pair's class: zero-shot labels and caption variants
 */
public record PretrainSettings(Path dataset, Path out, String model, int epochs, long maxSteps, int batchSize,
        double learningRate, long warmupSteps, double alpha, double gamma, long seed, String teacher,
        double heldOutShare, int limit, StoredType dtype, String labelField) {

    public PretrainSettings {
        if (epochs < 1 || batchSize < 2 || maxSteps < 0 || limit < 0 || !(learningRate > 0) || warmupSteps < 0) {
            throw new IllegalArgumentException("epochs ≥ 1, batch size ≥ 2, a positive rate; steps, limit and warm-up"
                    + " not negative");
        }
    }

    /**
     * 8 epochs of 64 (about 9 minutes on a shared 2-core CPU), peak rate 2e-3 after up to 100 warm-up
     * steps, α = γ = 1, seed 42, the MiniLM teacher, 5% held out, float16 weights, labels from {@code category}.
     */
    public static PretrainSettings defaults(Path dataset, Path out) {
        return new PretrainSettings(dataset, out, "tiny", 8, 0, 64, 2e-3, 100, 1.0, 1.0, 42, "onnx-minilm", 0.05, 0,
                StoredType.F16, "category");
    }
}
