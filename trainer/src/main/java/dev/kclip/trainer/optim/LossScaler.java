package dev.kclip.trainer.optim;

/**
 * Dynamic loss scaling for float16 training: the loss is multiplied by {@link #scale()} before the backward pass
 * so small gradients survive float16, and the gradients divided by it before the update. A step whose gradients
 * overflowed is skipped and the scale halved; after {@code growthInterval} good steps in a row it doubles.
 * With float32 the scale stays 1.
 */
public final class LossScaler {

    private static final double MAX_SCALE = 65536.0 * 256;

    private final boolean enabled;
    private final long growthInterval;
    private double scale;
    private long goodSteps;

    private LossScaler(boolean enabled, double initialScale, long growthInterval) {
        this.enabled = enabled;
        this.scale = enabled ? initialScale : 1.0;
        this.growthInterval = growthInterval;
    }

    /** Scaling for float16 (initial scale 2¹⁶, growth every 2,000 good steps, as PyTorch's GradScaler). */
    public static LossScaler dynamic() {
        return new LossScaler(true, 65536.0, 2000);
    }

    /** No scaling (float32). */
    public static LossScaler none() {
        return new LossScaler(false, 1.0, Long.MAX_VALUE);
    }

    public double scale() {
        return scale;
    }

    /**
     * Records the outcome of a backward pass.
     *
     * @param gradientNorm the global norm of the scaled gradients
     * @return true when the update may be applied, false when it must be skipped (overflow)
     */
    public boolean record(double gradientNorm) {
        if (!Double.isFinite(gradientNorm)) {
            if (enabled) {
                scale = Math.max(1.0, scale / 2);
                goodSteps = 0;
            }
            return false;
        }
        if (enabled && ++goodSteps >= growthInterval) {
            scale = Math.min(MAX_SCALE, scale * 2);
            goodSteps = 0;
        }
        return true;
    }

    /** Restores a saved scale (checkpoints keep it with the optimizer). */
    public void restore(double savedScale) {
        if (enabled) {
            scale = savedScale;
            goodSteps = 0;
        }
    }
}
