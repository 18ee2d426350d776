package dev.kclip.launcher.ablation;

import ai.djl.Device;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.data.ReplayReservoir;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.eval.Evaluator;
import dev.kclip.trainer.loop.StepReport;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.loop.TrainingSession;
import dev.kclip.trainer.loss.LossWeights;
import dev.kclip.trainer.model.Precision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * One run of the ablation: a new student trained for a number of steps on the stream in order, batched as the
 * continuous trainer batches ({@code StreamTrainer}): each step takes the next {@code freshPerBatch} stream
 * examples and fills the batch from a reservoir of the examples trained so far; once the stream is consumed,
 * steps are replay-only. Then the held-out evaluation.
 */
public final class AblationRun {

    /** Metric name of the mean {@code L_emb} (unweighted) over the last {@link #WINDOW} steps. */
    public static final String FINAL_EMBEDDING_LOSS = "final_embedding_loss";
    /** Metric name of the mean {@code L_clip} over the last {@link #WINDOW} steps. */
    public static final String FINAL_CONTRASTIVE_LOSS = "final_contrastive_loss";
    /**
     * Metric name of the mean over the steps of what the optimised total holds beyond β·L_concept + γ·L_clip: the
     * α·L_emb the steps really minimised (0 when distillation is off).
     */
    public static final String DISTILLATION_SHARE = "distillation_share";
    private static final int WINDOW = 10;

    /**
     * What a run gave.
     *
     * @param metrics the {@link Evaluator}'s held-out figures plus {@link #FINAL_EMBEDDING_LOSS},
     *     {@link #FINAL_CONTRASTIVE_LOSS} and {@link #DISTILLATION_SHARE}
     * @param skippedSteps steps whose update was skipped (gradients not finite)
     * @param seconds wall time of training and evaluation
     */
    public record Result(Map<String, Double> metrics, int skippedSteps, double seconds) {
    }

    private AblationRun() {
    }

    /**
     * Trains {@code config} (model with teacher dimension and K set, training settings with weights and seed) on
     * {@code data} for {@code steps} steps and evaluates it.
     *
     * @param teacher embeds strings with the run's teacher, for zero-shot in the teacher's space
     */
    public static Result train(AblationData data, TrainerConfig config, int steps,
            Function<List<String>, List<float[]>> teacher) throws InvalidExampleException {
        long start = System.nanoTime();
        LossWeights weights = config.training().lossWeights();
        int batchSize = config.batching().batchSize();
        int freshPerBatch = config.freshPerBatch();
        ReplayReservoir<TrainingExample> reservoir = new ReplayReservoir<>(config.replay().capacity(),
                new Random(config.training().seed()));
        List<TrainingExample> stream = data.train();
        List<Double> embedding = new ArrayList<>();
        List<Double> contrastive = new ArrayList<>();
        double distillation = 0;
        int skipped = 0;
        try (TrainingSession session = TrainingSession.create(config.model(), config.training(), Device.cpu(), Precision.FP32)) {
            int cursor = 0;
            for (int step = 0; step < steps; step++) {
                List<TrainingExample> fresh = stream.subList(cursor, Math.min(stream.size(), cursor + freshPerBatch));
                cursor += fresh.size();
                List<TrainingExample> replayed = reservoir.sample(fresh.isEmpty() ? batchSize : batchSize - fresh.size());
                StepReport report = session.train(fresh, replayed);
                fresh.forEach(reservoir::offer);
                embedding.add(report.embeddingLoss());
                contrastive.add(report.contrastiveLoss());
                distillation += report.totalLoss() - weights.beta() * report.conceptLoss()
                        - weights.gamma() * report.contrastiveLoss();
                if (!report.applied()) {
                    skipped++;
                }
            }
            Map<String, Double> metrics = new LinkedHashMap<>(new Evaluator(session.model(), session.tokenizer(),
                    Evaluator.DEFAULT_PROMPT, teacher).evaluate(data.heldOut()));
            metrics.put(FINAL_EMBEDDING_LOSS, tailMean(embedding));
            metrics.put(FINAL_CONTRASTIVE_LOSS, tailMean(contrastive));
            metrics.put(DISTILLATION_SHARE, distillation / steps);
            return new Result(metrics, skipped, (System.nanoTime() - start) / 1e9);
        }
    }

    private static double tailMean(List<Double> values) {
        return values.subList(Math.max(0, values.size() - WINDOW), values.size()).stream()
                .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
