package dev.kclip.launcher.ablation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.trainer.loss.LossWeights;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A real, small ablation: 64 pairs of emoji-64, MiniLM, K-means, two objectives, one seed, 3 steps of 16. */
class AblationBenchmarkTest {

    private static final List<String> RATIOS = List.of("zero_shot_top1", "zero_shot_balanced_top1",
            "zero_shot_majority_share", "image_to_text_r5", "text_to_image_r5", "teacher_knn_overlap_10",
            "teacher_knn_overlap_10_projected", "zero_shot_teacher_top1");

    @Test
    void distillationIsInTheObjectiveExactlyWhenAlphaIsOne() throws Exception {
        List<Objective> objectives = List.of(new Objective("contrastive", new LossWeights(0, 0, 1)),
                new Objective("+ distillation", new LossWeights(1, 0, 1)));
        AblationSettings settings = new AblationSettings(Path.of("../datasets/emoji-64/pairs.jsonl"), "category",
                "category", 0.2, 8, "onnx-minilm", "tiny", 3, 16, List.of(5L), Path.of("target/no-such-base"), true, objectives);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        AblationTable table = AblationBenchmark.run(settings, 64, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String out = printed.toString(StandardCharsets.UTF_8);
        System.out.print(out); // the figures, in the surefire report's output file

        assertTrue(out.contains("--init target/no-such-base does not exist: running the random-init rows only"), out);
        assertEquals(2, table.rows().size(), out);
        for (AblationTable.Row row : table.rows()) {
            assertEquals(AblationBenchmark.RANDOM, row.init());
            Map<String, Double> run = row.runs().get(0);
            for (String ratio : RATIOS) {
                double v = run.get(ratio);
                assertTrue(v >= 0 && v <= 1, ratio + " = " + v);
            }
            // the held-out split of 64 evenly spaced pairs holds several categories
            assertTrue(run.get("zero_shot_classes") >= 3, out);
            assertTrue(Double.isFinite(run.get(AblationRun.FINAL_EMBEDDING_LOSS)) && run.get(AblationRun.FINAL_EMBEDDING_LOSS) > 0);
            assertTrue(Double.isFinite(run.get(AblationRun.FINAL_CONTRASTIVE_LOSS)));
        }
        Map<String, Double> without = table.rows().get(0).runs().get(0);
        Map<String, Double> with = table.rows().get(1).runs().get(0);
        // what the steps minimised beyond the contrastive term: nothing at α = 0, L_emb itself at α = 1
        assertEquals(0, without.get(AblationRun.DISTILLATION_SHARE), 1e-5);
        // (3 steps: the last-10 mean of L_emb is the mean over every step)
        assertEquals(with.get(AblationRun.FINAL_EMBEDDING_LOSS), with.get(AblationRun.DISTILLATION_SHARE),
                1e-4 * with.get(AblationRun.FINAL_EMBEDDING_LOSS), "α·L_emb at α = 1: " + with);
        assertTrue(with.get(AblationRun.DISTILLATION_SHARE) > 0.1, "α·L_emb at α = 1: " + with);
        assertTrue(out.contains(table.text()), out);
        assertTrue(table.markdown().lines().skip(2).noneMatch(l -> l.contains("n/a")), table.markdown());
    }
}
