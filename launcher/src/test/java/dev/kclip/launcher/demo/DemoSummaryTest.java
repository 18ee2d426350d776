package dev.kclip.launcher.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.launcher.report.ReportData;
import dev.kclip.trainer.eval.AccuracyMatrix;
import dev.kclip.trainer.eval.BucketAccuracy;
import dev.kclip.trainer.eval.ContinualMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary's continual line (with the replay beside it) and the report's heat map from the final checkpoint. */
class DemoSummaryTest {

    /** Bucket a learnt at step 10 (0.8; b already held out, 0.3 before its training, chance 0.5), b at 20; a falls to 0.5. */
    private static final AccuracyMatrix MATRIX = new AccuracyMatrix("field label", List.of("a", "b"), List.of(
            new AccuracyMatrix.Row(10, "a", Map.of("a", 40L),
                    Map.of("a", new BucketAccuracy(5, 2, 0.8, 0.8), "b", new BucketAccuracy(5, 2, 0.3, 0.3))),
            new AccuracyMatrix.Row(20, "b", Map.of("a", 40L, "b", 30L),
                    Map.of("a", new BucketAccuracy(5, 2, 0.5, 0.5)))));

    private static DemoSummary summary(AccuracyMatrix matrix, String policy) {
        Map<String, Double> metrics = Map.of("examples", 10.0, "zero_shot_classes", 2.0, "replay_share", 0.25,
                "replay_capacity", 10_000.0, "replay_reservoir_size", 70.0, "examples_replayed", 24.0);
        return new DemoSummary(100, 100, 0, 100, 100, 20, 70, 0, 2, 0, metrics, Map.of(), 50,
                new Freshness(100, 10, 1, 2, 3, 70), Duration.ofSeconds(65), matrix,
                matrix == null ? null : ContinualMetrics.of(matrix), policy);
    }

    @Test
    void theContinualLineCarriesTheThreeFiguresAndTheReplay() {
        List<String> lines = summary(MATRIX, "reservoir").lines();
        assertEquals("continual: by field label, 2 buckets over 2 checkpoints: in-domain 80.0% (1 buckets), "
                + "backward transfer -30.0 points (forgetting 30.0; 1 buckets), forward transfer -20.0 points over chance "
                + "(accuracy 30.0%; 1 buckets); replay: reservoir, 25% of each batch, capacity 10,000 (holding 70), "
                + "24 examples replayed", lines.get(lines.size() - 1));
        List<String> withoutBuckets = summary(null, "reservoir").lines();
        assertEquals("replay: reservoir, 25% of each batch, capacity 10,000 (holding 70), 24 examples replayed",
                withoutBuckets.get(withoutBuckets.size() - 1));
        assertTrue(summary(null, null).lines().get(summary(null, null).lines().size() - 1).startsWith("recall@5:"));
    }

    @Test
    void theHeatMapHasARowPerCheckpointBlanksAndFutureMarks() {
        ReportData.AccuracyHeatMap map = DemoReport.heatMap(summary(MATRIX, "reservoir"));
        assertEquals(List.of("step 10", "step 20"), map.rows());
        assertEquals(List.of("a", "b"), map.buckets());
        assertArrayEquals(new double[] {0.8, 0.3}, map.top1()[0]);
        assertEquals(0.5, map.top1()[1][0]);
        assertTrue(Double.isNaN(map.top1()[1][1]), "no held-out pair of b at step 20");
        assertArrayEquals(new boolean[] {false, true}, map.future()[0], "b not trained at step 10");
        assertArrayEquals(new boolean[] {false, false}, map.future()[1]);
        assertTrue(map.notes().get(map.notes().size() - 1).startsWith("in-domain 80.0%"), map.notes().toString());
        assertNull(DemoReport.heatMap(summary(null, null)));
    }
}
