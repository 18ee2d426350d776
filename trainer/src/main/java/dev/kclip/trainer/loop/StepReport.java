package dev.kclip.trainer.loop;

import java.util.List;
import java.util.Map;

/**
 * What one training step did.
 *
 * @param step optimizer updates so far, this one included (when applied)
 * @param freshIds ids of the stream examples trained, in batch order
 * @param replayed examples replayed from the reservoir
 * @param embeddingLoss {@code L_emb}
 * @param conceptLoss {@code L_concept}
 * @param contrastiveLoss {@code L_clip}
 * @param totalLoss {@code α·L_emb + β·L_concept + γ·L_clip}
 * @param gradientNorm global gradient norm before clipping
 * @param learningRate the rate of this update
 * @param logitScale {@code exp(t)}, the inverse temperature
 * @param applied false when the update was skipped (non-finite gradients)
 */
public record StepReport(long step, List<String> freshIds, int replayed, double embeddingLoss, double conceptLoss,
        double contrastiveLoss, double totalLoss, double gradientNorm, double learningRate, double logitScale,
        boolean applied) {

    public StepReport {
        freshIds = List.copyOf(freshIds);
    }

    /** Examples in the batch. */
    public int size() {
        return freshIds.size() + replayed;
    }

    /** The loss terms by name, as checkpoints and metrics record them. */
    public Map<String, Double> losses() {
        return Map.of("embedding", embeddingLoss, "concept", conceptLoss, "contrastive", contrastiveLoss,
                "total", totalLoss);
    }
}
