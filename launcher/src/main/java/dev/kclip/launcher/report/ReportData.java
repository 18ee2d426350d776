package dev.kclip.launcher.report;

import java.util.List;
import java.util.Map;

/**
 * Everything the report shows, gathered from the run (so the writer knows nothing of Kafka or the trainer).
 *
 * @param title page title
 * @param summary the run's summary lines (counts, accuracy against chance)
 * @param losses the loss terms after each training step
 * @param checkpoints evaluation figures at each checkpoint
 * @param conceptSizes the concept updater's cluster weights at each centroid version
 * @param drift one point per drift window
 * @param concepts example images per concept, largest concept first
 * @param accuracy the continual evaluation's accuracy matrix, or null when the run had no buckets
 */
public record ReportData(String title, List<String> summary, List<LossPoint> losses, List<CheckpointPoint> checkpoints,
        List<ConceptSizes> conceptSizes, List<DriftPoint> drift, List<ConceptExamples> concepts,
        AccuracyHeatMap accuracy) {

    /**
     * Zero-shot top-1 per bucket (columns) at each checkpoint (rows, oldest first).
     *
     * @param rows a label per checkpoint
     * @param buckets a label per bucket
     * @param top1 {@code top1[row][bucket]}, NaN where the checkpoint had no held-out pair of the bucket
     * @param future {@code future[row][bucket]}: no example of the bucket had been trained by that checkpoint
     * @param notes what the figures mean and the run's continual figures, shown under the chart
     */
    public record AccuracyHeatMap(List<String> rows, List<String> buckets, double[][] top1, boolean[][] future,
            List<String> notes) {
    }

    /** Loss terms after one step. */
    public record LossPoint(long step, double embedding, double concept, double contrastive, double total) {
    }

    /** Evaluation figures of one checkpoint. */
    public record CheckpointPoint(long version, long step, Map<String, Double> metrics) {
    }

    /** Cluster weights at one centroid version. */
    public record ConceptSizes(long version, long recordsSeen, float[] weights) {
    }

    /**
     * One drift window.
     *
     * @param mmd MMD² of its embeddings against the reference sample; NaN when not measured
     * @param meanTopProbability mean top-1 probability of its soft labels; NaN when unknown
     * @param line its {@code kclip drift watch} line (why it alarmed, which concepts rose and fell)
     */
    public record DriftPoint(long window, double jsDivergence, double noveltyRate, double displacement, double mmd,
            double meanTopProbability, String level, String line) {
    }

    /** A concept with a few of its examples. */
    public record ConceptExamples(int concept, double size, String words, List<Example> examples) {
    }

    /** An example image and its caption. */
    public record Example(String caption, byte[] image, String mediaType) {
    }
}
