package dev.kclip.trainer.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.trainer.data.ImageTransform;
import dev.kclip.trainer.loss.DistillationLoss;
import dev.kclip.trainer.loss.LossWeights;
import dev.kclip.trainer.optim.AdamW;
import dev.kclip.trainer.optim.LearningRateSchedule;

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
        long warmupSteps, long decaySteps, AdamW.Settings optimizer, double maxGradientNorm, ImageTransform.Augmentation augmentation,
        long seed, String textInitTeacher) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public TrainingSettings {
        if (!(learningRate > 0) || warmupSteps < 0 || decaySteps < 0 || maxGradientNorm < 0) {
            throw new IllegalArgumentException("learning rate must be positive, warm-up, decay and clip norm non-negative");
        }
    }

    /**
     * The paper's loss weights, MSE distillation, rate 5e-4 with 100 warm-up steps then a cosine decay over 2,000
     * steps to a tenth of it, CLIP's AdamW, clip at 1.
     */
    public static TrainingSettings defaults() {
        return FROM_SCRATCH;
    }

    /**
     * The peak rate when the student starts from a pretrained CLIP: the paper's (PAPER.md, 5e-5, for fine-tuning a
     * pretrained CLIP). The from-scratch rate, ten times higher, wears a pretrained base's zero-shot down within a
     * few hundred steps of a stream that moves from one category to the next.
     */
    public static final double FINE_TUNING_LEARNING_RATE = 5e-5;

    /** How the default peak rate reads in help texts. */
    public static final String DEFAULT_RATE_TEXT = "5e-4 from random weights, 5e-5 from --init (the paper's fine-tuning rate)";

    private static final TrainingSettings FROM_SCRATCH = scratch();

    private static TrainingSettings scratch() {
        return new TrainingSettings(LossWeights.PAPER, DistillationLoss.Kind.MSE, 5e-4, 100, 2_000,
                new AdamW.Settings(0.9, 0.98, 1e-6, 0.1), 1.0, ImageTransform.Augmentation.DEFAULT, 42, null);
    }

    public TrainingSettings withLossWeights(LossWeights weights) {
        return new TrainingSettings(weights, distillation, learningRate, warmupSteps, decaySteps, optimizer, maxGradientNorm,
                augmentation, seed, textInitTeacher);
    }

    public TrainingSettings withLearningRate(double rate, long warmup) {
        return new TrainingSettings(lossWeights, distillation, rate, warmup, decaySteps, optimizer, maxGradientNorm, augmentation,
                seed, textInitTeacher);
    }

    /** The same with a cosine decay over {@code steps} updates after warm-up (0: a constant rate). */
    public TrainingSettings withDecaySteps(long steps) {
        return new TrainingSettings(lossWeights, distillation, learningRate, warmupSteps, steps, optimizer,
                maxGradientNorm, augmentation, seed, textInitTeacher);
    }

    /** The learning rate at every step these settings give. */
    public LearningRateSchedule schedule() {
        return new LearningRateSchedule(learningRate, warmupSteps, decaySteps, LearningRateSchedule.DEFAULT_FLOOR);
    }

    public TrainingSettings withDistillation(DistillationLoss.Kind kind) {
        return new TrainingSettings(lossWeights, kind, learningRate, warmupSteps, decaySteps, optimizer, maxGradientNorm,
                augmentation, seed, textInitTeacher);
    }

    public TrainingSettings withSeed(long value) {
        return new TrainingSettings(lossWeights, distillation, learningRate, warmupSteps, decaySteps, optimizer, maxGradientNorm,
                augmentation, value, textInitTeacher);
    }

    public TrainingSettings withTextInitTeacher(String spec) {
        return new TrainingSettings(lossWeights, distillation, learningRate, warmupSteps, decaySteps, optimizer, maxGradientNorm,
                augmentation, seed, spec);
    }

    public JsonNode toJson() {
        return JSON.valueToTree(this);
    }
}
