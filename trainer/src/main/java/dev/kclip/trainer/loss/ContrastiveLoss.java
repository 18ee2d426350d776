package dev.kclip.trainer.loss;

import ai.djl.ndarray.NDArray;
import dev.kclip.trainer.model.Scalars;

/**
 * CLIP's symmetric InfoNCE (PAPER.md, objective 3):
 * <pre>
 * logits = normalize(I_f) · normalize(T_f)ᵀ · scale
 * loss   = (CE(logits, arange(n), axis=0) + CE(logits, arange(n), axis=1)) / 2
 * </pre>
 * where image i and caption i are the positive pair and the rest of the batch are the negatives.
 */
public final class ContrastiveLoss {

    /**
     * @param imageFeatures {@code I_f}, {@code [B, E]}
     * @param textFeatures {@code T_f}, {@code [B, E]}
     * @param scale {@code exp(t)}, already clamped, {@code [1]}
     * @return a scalar
     */
    public NDArray compute(NDArray imageFeatures, NDArray textFeatures, NDArray scale) {
        NDArray logits = imageFeatures.normalize(2, 1).matMul(textFeatures.normalize(2, 1).transpose()).mul(scale);
        NDArray imageToText = diagonal(logits.logSoftmax(1)).mean().neg();
        NDArray textToImage = diagonal(logits.logSoftmax(0)).mean().neg();
        return Scalars.div(imageToText.add(textToImage), 2);
    }

    /** The log-probabilities of the positive pairs, {@code logProbabilities[i, i]}. */
    private static NDArray diagonal(NDArray logProbabilities) {
        long n = logProbabilities.getShape().get(0);
        return logProbabilities.mul(logProbabilities.getManager().eye((int) n)).sum(new int[] {1});
    }
}
