package dev.kclip.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * Concept learning (PAPER.md, objective 2): the soft cross-entropy between the classifier's distribution and the
 * soft concept label, {@code −Σ_k s_k · log softmax(C(x))_k}, averaged over the examples whose label fits the
 * classifier (mask 1); examples with mask 0 (a label over concepts the classifier no longer has) add nothing.
 */
public final class ConceptLoss {

    /**
     * @param logits {@code C(x)}, {@code [B, K]}
     * @param softLabels {@code s}, {@code [B, K]}, rows summing to 1
     * @param mask {@code [B]}, 1 where the label counts
     * @return a scalar; 0 when no example counts
     */
    public NDArray compute(NDArray logits, NDArray softLabels, NDArray mask) {
        NDArray perExample = softLabels.mul(logits.logSoftmax(1)).sum(new int[] {1}).neg();
        NDArray counted = mask.sum().maximum(1f);
        return perExample.mul(mask).sum().div(counted);
    }
}
