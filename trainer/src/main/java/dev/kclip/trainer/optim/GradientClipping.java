package dev.kclip.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.Collection;

/** Clips gradients by their global L2 norm, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradientClipping {

    private GradientClipping() {
    }

    /** The global L2 norm {@code √(Σ ‖g‖²)} of all gradients; NaN or infinite when any value is. */
    public static double globalNorm(Collection<NDArray> gradients) {
        double sumOfSquares = 0;
        for (NDArray g : gradients) {
            try (NDArray squares = g.square().sum()) {
                sumOfSquares += squares.getFloat();
            }
        }
        return Math.sqrt(sumOfSquares);
    }

    /**
     * Scales every gradient in place by {@code maxNorm / norm} when the norm exceeds {@code maxNorm}.
     *
     * @param norm the global norm, from {@link #globalNorm}
     */
    public static void clip(Collection<NDArray> gradients, double norm, double maxNorm) {
        if (maxNorm > 0 && norm > maxNorm) {
            float factor = (float) (maxNorm / (norm + 1e-6));
            gradients.forEach(g -> g.muli(factor));
        }
    }
}
