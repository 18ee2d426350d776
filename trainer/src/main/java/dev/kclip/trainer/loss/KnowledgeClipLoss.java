package dev.kclip.trainer.loss;

import ai.djl.ndarray.NDArray;
import dev.kclip.trainer.model.Scalars;

/**
 * The total objective {@code α·L_emb + β·L_concept + γ·L_clip} (PAPER.md). Each term is returned on its own so it
 * can be logged separately; terms are computed even at weight 0, so an ablation still reports them.
 */
public final class KnowledgeClipLoss {

    /** The three terms and their weighted sum, all scalars. */
    public record Terms(NDArray embedding, NDArray concept, NDArray contrastive, NDArray total) {
    }

    private final LossWeights weights;
    private final DistillationLoss distillation;
    private final ConceptLoss concept = new ConceptLoss();
    private final ContrastiveLoss contrastive = new ContrastiveLoss();

    public KnowledgeClipLoss(LossWeights weights, DistillationLoss.Kind distillationKind) {
        this.weights = weights;
        this.distillation = new DistillationLoss(distillationKind);
    }

    public LossWeights weights() {
        return weights;
    }

    /**
     * @param imageFeatures {@code I_f [B, E]}
     * @param textFeatures {@code T_f [B, E]}
     * @param scale the clamped logit scale {@code [1]}
     * @param teacherPrediction {@code W_e(T_f) [B, D]}
     * @param teacher teacher vectors {@code [B, D]}
     * @param conceptLogits {@code C(..) [B, K]}
     * @param softLabels {@code [B, K]}
     * @param conceptMask {@code [B]}, 1 where the soft label counts
     */
    public Terms compute(NDArray imageFeatures, NDArray textFeatures, NDArray scale, NDArray teacherPrediction,
            NDArray teacher, NDArray conceptLogits, NDArray softLabels, NDArray conceptMask) {
        NDArray lEmb = distillation.compute(teacherPrediction, teacher);
        NDArray lConcept = concept.compute(conceptLogits, softLabels, conceptMask);
        NDArray lClip = contrastive.compute(imageFeatures, textFeatures, scale);
        NDArray total = Scalars.mul(lEmb, weights.alpha()).add(Scalars.mul(lConcept, weights.beta()))
                .add(Scalars.mul(lClip, weights.gamma()));
        return new Terms(lEmb, lConcept, lClip, total);
    }
}
