package dev.kclip.trainer.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.trainer.data.ImageTransform;
import dev.kclip.trainer.loss.DistillationLoss;
import dev.kclip.trainer.loss.LossWeights;
import dev.kclip.trainer.optim.AdamW;

/**
 * How the student learns, independent of where the examples come from.
 *
 * @param lossWeights α, β, γ of the total loss (paper: 1, 0.01, 1)
 * @param distillation MSE (the paper's ‖·‖²) or 1 − cosine
 * @param learningRate peak AdamW rate after warm-up (the paper fine-tunes at 5e-5; training from scratch needs more)
 * @param warmupSteps linear warm-up length in updates
 * @param optimizer AdamW's β1, β2, ε and decoupled weight decay
 * @param maxGradientNorm global gradient norm clip, 0 for none
 * @param augmentation random resized crop and flip
 * @param seed seeds initial weights and augmentation
 * @param textInitTeacher a teacher spec (e.g. {@code onnx-minilm}) whose embeddings of the vocabulary seed a new
 *     student's token embedding, which then stays fixed (see {@code TeacherTokenEmbeddings}); null for a random,
 *     trained token embedding
 */
public record TrainingSettings(LossWeights lossWeights, DistillationLoss.Kind distillation, double learningRate,
        long warmupSteps, AdamW.Settings optimizer, double maxGradientNorm, ImageTransform.Augmentation augmentation,
        long seed, String textInitTeacher) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public TrainingSettings {
        if (!(learningRate > 0) || warmupSteps < 0 || maxGradientNorm < 0) {
            throw new IllegalArgumentException("learning rate must be positive, warm-up and clip norm non-negative");
        }
    }

    /** The paper's loss weights, MSE distillation, rate 5e-4 with 100 warm-up steps, CLIP's AdamW, clip at 1. */
    public static TrainingSettings defaults() {
        return new TrainingSettings(LossWeights.PAPER, DistillationLoss.Kind.MSE, 5e-4, 100,
                new AdamW.Settings(0.9, 0.98, 1e-6, 0.1), 1.0, ImageTransform.Augmentation.DEFAULT, 42, null);
    }

    public TrainingSettings withLossWeights(LossWeights weights) {
        return new TrainingSettings(weights, distillation, learningRate, warmupSteps, optimizer, maxGradientNorm,
                augmentation, seed, textInitTeacher);
    }

    public TrainingSettings withLearningRate(double rate, long warmup) {
        return new TrainingSettings(lossWeights, distillation, rate, warmup, optimizer, maxGradientNorm, augmentation,
                seed, textInitTeacher);
    }

    public TrainingSettings withDistillation(DistillationLoss.Kind kind) {
        return new TrainingSettings(lossWeights, kind, learningRate, warmupSteps, optimizer, maxGradientNorm,
                augmentation, seed, textInitTeacher);
    }

    public TrainingSettings withSeed(long value) {
        return new TrainingSettings(lossWeights, distillation, learningRate, warmupSteps, optimizer, maxGradientNorm,
                augmentation, value, textInitTeacher);
    }

    public TrainingSettings withTextInitTeacher(String spec) {
        return new TrainingSettings(lossWeights, distillation, learningRate, warmupSteps, optimizer, maxGradientNorm,
                augmentation, seed, spec);
    }

    public JsonNode toJson() {
        return JSON.valueToTree(this);
    }
}
