package dev.kclip.trainer.loss;

/**
 * The weights of the total loss {@code α·L_emb + β·L_concept + γ·L_clip}; the paper uses α = 1, β = 0.01, γ = 1.
 * A weight of 0 switches its objective off (ablations run from the same code).
 */
public record LossWeights(double alpha, double beta, double gamma) {

    public static final LossWeights PAPER = new LossWeights(1.0, 0.01, 1.0);

    public LossWeights {
        if (alpha < 0 || beta < 0 || gamma < 0 || Double.isNaN(alpha + beta + gamma)) {
            throw new IllegalArgumentException("loss weights must be non-negative: α=" + alpha + " β=" + beta + " γ=" + gamma);
        }
        if (alpha + beta + gamma == 0) {
            throw new IllegalArgumentException("at least one loss weight must be positive");
        }
    }
}
