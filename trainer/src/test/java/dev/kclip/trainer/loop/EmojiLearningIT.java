package dev.kclip.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.trainer.data.HeldOutSplit;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.eval.EvalExample;
import dev.kclip.trainer.eval.Evaluator;
import dev.kclip.trainer.loss.LossWeights;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import dev.kclip.trainer.testdata.EmojiPairs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The student learns from real data: emoji-64 (1,911 pairs) with real teacher vectors (MiniLM) and K-means soft
 * labels from the concept updater's algorithm, 20% of the pairs held out by id. 600 CPU steps of a small student
 * (32×32 images, two layers per tower, mean pooling, token embeddings seeded from the teacher and kept fixed):
 * <ul>
 *   <li>the contrastive loss falls by at least half;</li>
 *   <li>zero-shot accuracy over the 10 categories of the held-out images ("a photo of a {category}") is well above
 *       chance in the teacher's space ({@code W_e(E_I)} against the teacher's embedding of each prompt), and above
 *       chance CLIP's way (the student's own text encoder);</li>
 *   <li>the same run with α = 0 (no distillation) agrees clearly less with the teacher: kNN-overlap@10 of
 *       {@code W_e(E_T)} with the teacher's space.</li>
 * </ul>
 */
class EmojiLearningIT {

    private static final Logger LOG = LoggerFactory.getLogger(EmojiLearningIT.class);
    private static final int STEPS = 600;
    private static final int BATCH = 64;
    private static final int WINDOW = 10;

    private static List<TrainingExample> train;
    private static List<EvalExample> heldOut;
    private static TeacherModel teacher;
    private static Run distilled;

    /** Losses at the start and end of a run, and the held-out evaluation. */
    record Run(double firstContrastive, double lastContrastive, Map<String, Double> metrics) {
    }

    @BeforeAll
    static void trainWithDistillation() throws Exception {
        teacher = TeacherModels.load("onnx-minilm");
        HeldOutSplit split = new HeldOutSplit(0.2);
        train = new ArrayList<>();
        heldOut = new ArrayList<>();
        for (TrainingExample e : EmojiPairs.all()) {
            if (split.isHeldOut(e.id())) {
                heldOut.add(EvalExample.of(e));
            } else {
                train.add(e);
            }
        }
        distilled = run(LossWeights.PAPER);
    }

    @AfterAll
    static void closeTeacher() {
        teacher.close();
    }

    static ModelConfig config() {
        ObjectNode json = (ObjectNode) ModelConfig.tiny().toJson();
        json.put("imageSize", 32).put("visionLayers", 2).put("textLayers", 2).put("textPooling", "MEAN");
        return ModelConfig.fromJson(json).withData(EmojiPairs.all().get(0).teacher().length, EmojiPairs.CONCEPTS);
    }

    static Run run(LossWeights weights) throws Exception {
        TrainingSettings settings = TrainingSettings.defaults().withLossWeights(weights).withLearningRate(2e-3, 20)
                .withSeed(11).withTextInitTeacher("onnx-minilm");
        Random order = new Random(5);
        List<TrainingExample> shuffled = new ArrayList<>(train);
        List<Double> contrastive = new ArrayList<>();
        long start = System.nanoTime();
        try (TrainingSession session = TrainingSession.create(config(), settings, Device.cpu(), Precision.FP32)) {
            int cursor = shuffled.size();
            for (int step = 0; step < STEPS; step++) {
                if (cursor + BATCH > shuffled.size()) {
                    Collections.shuffle(shuffled, order);
                    cursor = 0;
                }
                StepReport report = session.train(shuffled.subList(cursor, cursor + BATCH), List.of());
                cursor += BATCH;
                contrastive.add(report.contrastiveLoss());
                if (step % 100 == 0) {
                    LOG.info("α={} step {}: L_emb {} L_concept {} L_clip {} scale {}", weights.alpha(), step,
                            report.embeddingLoss(), report.conceptLoss(), report.contrastiveLoss(), report.logitScale());
                }
            }
            Map<String, Double> metrics = new Evaluator(session.model(), session.tokenizer(), Evaluator.DEFAULT_PROMPT,
                    strings -> teacher.embed(strings).stream().map(TeacherEmbedding::vector).toList()).evaluate(heldOut);
            Run run = new Run(mean(contrastive.subList(0, WINDOW)), mean(contrastive.subList(STEPS - WINDOW, STEPS)), metrics);
            LOG.info("α={}: {} steps of {} in {} s; contrastive {} -> {}; held-out {}", weights.alpha(), STEPS, BATCH,
                    (System.nanoTime() - start) / 1_000_000_000, run.firstContrastive(), run.lastContrastive(), metrics);
            return run;
        }
    }

    @Test
    void contrastiveLossFallsByHalfAndZeroShotBeatsChance() {
        assertTrue(distilled.lastContrastive() <= distilled.firstContrastive() / 2,
                "contrastive loss " + distilled.firstContrastive() + " -> " + distilled.lastContrastive());
        assertEquals(10.0, distilled.metrics().get("zero_shot_classes"), "10 categories in the held-out split");
        double top1 = distilled.metrics().get("zero_shot_top1");
        double teacherSpaceTop1 = distilled.metrics().get("zero_shot_teacher_top1");
        LOG.info("zero-shot top-1 on held-out images: {} with the student's text encoder, {} in the teacher's space",
                top1, teacherSpaceTop1);
        // chance is 10% over 10 categories (20% always guessing the largest one). Runs measured 0.33-0.39 in the
        // teacher's space; the student's own text encoder gave 0.17-0.27 (CPU kernels are not bit-reproducible and
        // this figure moves most between runs), so only the first is held to a bound
        assertTrue(teacherSpaceTop1 >= 0.25, "zero-shot top-1 on held-out images in the teacher's space: " + teacherSpaceTop1);
        assertTrue(top1 > 0.10, "zero-shot top-1 on held-out images with the student's text encoder: " + top1);
    }

    @Test
    void withoutDistillationTheTextSpaceAgreesLessWithTheTeacher() throws Exception {
        Run ablated = run(new LossWeights(0.0, 0.01, 1.0));
        double with = distilled.metrics().get("teacher_knn_overlap_10_projected");
        double without = ablated.metrics().get("teacher_knn_overlap_10_projected");
        LOG.info("kNN-overlap@10 with the teacher: W_e(E_T) α=1 {}, α=0 {}; E_T α=1 {}, α=0 {}", with, without,
                distilled.metrics().get("teacher_knn_overlap_10"), ablated.metrics().get("teacher_knn_overlap_10"));
        assertTrue(with >= without + 0.05 && with >= 1.5 * without,
                "kNN-overlap@10 of W_e(E_T) with the teacher: α=1 " + with + " vs α=0 " + without);
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
