package dev.kclip.launcher.ablation;

import dev.kclip.trainer.loss.LossWeights;
import java.util.List;

/**
 * One training objective of the ablation: a name and the loss weights α (distillation), β (concepts), γ
 * (contrastive).
 */
public record Objective(String name, LossWeights weights) {

    /** Contrastive only, + distillation, + concepts, and all three (the paper's weights). */
    public static final List<Objective> STANDARD = List.of(
            new Objective("contrastive", new LossWeights(0, 0, 1)),
            new Objective("+ distillation", new LossWeights(1, 0, 1)),
            new Objective("+ concepts", new LossWeights(0, 0.01, 1)),
            new Objective("all (paper)", LossWeights.PAPER));
}
