package dev.kclip.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import java.util.Collection;

/** Clips gradients by their global L2 norm, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradientClipping {

    private GradientClipping() {
    }

    /**
     * The global L2 norm {@code √(Σ ‖g‖²)} of all gradients; NaN or infinite when any value is. The sum stays on the
     * gradients' device and only the total is read back: one wait for a GPU per step, not one per tensor.
     */
    public static double globalNorm(Collection<NDArray> gradients) {
        if (gradients.isEmpty()) {
            return 0;
        }
        try (NDList squares = new NDList(gradients.size())) {
            for (NDArray g : gradients) {
                squares.add(g.square().sum().toType(DataType.FLOAT32, false));
            }
            try (NDArray stacked = NDArrays.stack(squares); NDArray total = stacked.sum()) {
                return Math.sqrt(total.getFloat());
            }
        }
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
