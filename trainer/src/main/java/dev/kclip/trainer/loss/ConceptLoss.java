package dev.kclip.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * Concept learning (PAPER.md, objective 2): the classifier's distribution {@code p = softmax(C(x))} learns the soft
 * concept label {@code s}. Computed as the KL divergence {@code KL(s ‖ p) = Σ_k s_k (log s_k − log p_k)}, which is
 * the paper's soft cross-entropy {@code −Σ_k s_k log p_k} less the label's own entropy: the gradient is the same,
 * but the floor is 0 instead of the (large, for soft labels) entropy, so the logged curve shows the learning.
 * Averaged over the examples whose label fits the classifier (mask 1); examples with mask 0 (a label over concepts
 * the classifier no longer has) add nothing.
 */
public final class ConceptLoss {

    /**
     * @param logits {@code C(x)}, {@code [B, K]}
     * @param softLabels {@code s}, {@code [B, K]}, rows summing to 1
     * @param mask {@code [B]}, 1 where the label counts
     * @return a scalar; 0 when no example counts
     */
    public NDArray compute(NDArray logits, NDArray softLabels, NDArray mask) {
        // s·log s with 0·log 0 = 0; labels are data, so this term carries no gradient
        NDArray labelLogs = softLabels.maximum(Float.MIN_NORMAL).log();
        NDArray perExample = softLabels.mul(labelLogs.sub(logits.logSoftmax(1))).sum(new int[] {1});
        NDArray counted = mask.sum().maximum(1f);
        return perExample.mul(mask).sum().div(counted);
    }
}
