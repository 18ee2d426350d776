package dev.kclip.trainer.loss;

import ai.djl.ndarray.NDArray;
import dev.kclip.trainer.model.Scalars;

/**
 * Text embedding distillation (PAPER.md, objective 1): {@code L_emb = ‖W_e(E_T(t)) − L(t)/‖L(t)‖‖²}, averaged over
 * the batch (the paper sums over examples; the mean keeps the loss independent of the batch size). The target is
 * the teacher's vector L2-normalised: raw Llama vectors have norms near 100, and an MSE on them would be four orders
 * of magnitude above the contrastive term and drown it whatever α says; on unit targets the term lies in [0, 4] like
 * the others, and α means what the paper's weights mean. With
 * {@link Kind#COSINE}: {@code 1 − cos(W_e(E_T(t)), L(t))}, averaged, for teachers whose vector length carries no
 * meaning.
 */
public final class DistillationLoss {

    /** The distance between prediction and teacher vector. */
    public enum Kind { MSE, COSINE }

    private final Kind kind;

    public DistillationLoss(Kind kind) {
        this.kind = kind;
    }

    /**
     * @param predicted {@code W_e(E_T(t))}, {@code [B, D]}
     * @param teacher the teacher's vectors {@code L(t)}, {@code [B, D]}
     * @return a scalar
     */
    public NDArray compute(NDArray predicted, NDArray teacher) {
        if (kind == Kind.MSE) {
            return predicted.sub(teacher.normalize(2, 1)).square().sum(new int[] {1}).mean();
        }
        NDArray cosine = predicted.normalize(2, 1).mul(teacher.normalize(2, 1)).sum(new int[] {1});
        return Scalars.add(cosine.neg(), 1).mean();
    }
}
