package dev.kclip.launcher.demo;

import dev.kclip.schemas.DriftLevel;
import dev.kclip.schemas.Topics;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.eval.AccuracyMatrix;
import dev.kclip.trainer.eval.ContinualFigures;
import dev.kclip.trainer.eval.ContinualMetrics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the demo did and what the model learned, as printed at the end and shown at the top of the report.
 *
 * @param pairs pairs in the dataset
 * @param accepted pairs ingest accepted (committed to kclip.pairs)
 * @param rejected records dead-lettered by any stage
 * @param embedded teacher embeddings committed
 * @param labelled labelled examples committed
 * @param steps training steps taken
 * @param trainedOnce stream examples trained exactly once (as fresh examples)
 * @param trainedMoreThanOnce stream examples trained fresh more than once (should be 0)
 * @param checkpoints checkpoint events published
 * @param driftAlerts drift windows at level ALERT
 * @param metrics the final checkpoint's evaluation on the held-out split
 * @param pushRate pairs per second the push alone reached (the baseline for end-to-end throughput)
 * @param freshness end-to-end throughput and time from push to the first checkpoint including a pair
 * @param accuracyMatrix the final checkpoint's continual evaluation (zero-shot per bucket per checkpoint), or null
 * @param continual its in-domain accuracy, backward and forward transfer, or null
 * @param replayPolicy how the trainer chose replayed examples, or null when no checkpoint says
 */
public record DemoSummary(long pairs, long accepted, long rejected, long embedded, long labelled, long steps,
        long trainedOnce, long trainedMoreThanOnce, int checkpoints, long driftAlerts, Map<String, Double> metrics,
        Map<String, Long> deadLettersByReason, double pushRate, Freshness freshness, Duration elapsed,
        AccuracyMatrix accuracyMatrix, ContinualMetrics continual, String replayPolicy) {

    static DemoSummary of(long pairs, PipelineObserver observer, TrainingHistory history, double pushRate,
            Duration elapsed) {
        Map<String, Integer> trained = history.timesTrained();
        List<CheckpointManifest> checkpoints = history.checkpoints();
        CheckpointManifest last = checkpoints.isEmpty() ? null : checkpoints.get(checkpoints.size() - 1);
        Map<String, Double> metrics = last == null ? Map.of() : last.metrics();
        long rejected = observer.deadLettersByReason().values().stream().mapToLong(Long::longValue).sum();
        return new DemoSummary(pairs, observer.ids(Topics.PAIRS.name()).size(), rejected,
                observer.ids(Topics.TEACHER_EMBEDDINGS.name()).size(), observer.ids(Topics.TRAIN_EXAMPLES.name()).size(),
                history.lastStep(), trained.values().stream().filter(n -> n == 1).count(),
                trained.values().stream().filter(n -> n > 1).count(), observer.checkpointEvents().size(),
                observer.driftReports().stream().filter(r -> r.getLevel() == DriftLevel.ALERT).count(),
                Map.copyOf(metrics), observer.deadLettersByReason(), pushRate,
                Freshness.of(observer.labelledRecords(), checkpoints), elapsed,
                last == null ? null : last.accuracyMatrix(), last == null ? null : last.continual(),
                last == null ? null : last.replayPolicy());
    }

    double metric(String name) {
        return metrics.getOrDefault(name, Double.NaN);
    }

    /** Held-out examples the final evaluation used. */
    long heldOut() {
        return Math.round(metric("examples"));
    }

    double zeroShotChance() {
        return 1.0 / metric("zero_shot_classes");
    }

    double recallAt5Chance() {
        return Math.min(1.0, 5.0 / heldOut());
    }

    /**
     * The summary, one line per figure; accuracy lines start with {@code zero-shot accuracy:} and {@code recall@5:},
     * the continual figures with the replay beside them with {@code continual:} (or {@code replay:} without buckets).
     */
    List<String> lines() {
        List<String> lines = new ArrayList<>(List.of(
                String.format("kclip demo finished in %d min %02d s", elapsed.toMinutes(), elapsed.toSecondsPart()),
                String.format("  pairs pushed/accepted/rejected: %d / %d / %d%s", pairs, accepted, rejected,
                        deadLettersByReason.isEmpty() ? "" : "  " + deadLettersByReason),
                String.format("  embeddings: %d   labelled examples: %d", embedded, labelled),
                String.format("  training steps: %d   stream examples trained once: %d (more than once: %d; %d held out)",
                        steps, trainedOnce, trainedMoreThanOnce, heldOut()),
                String.format("  checkpoints published: %d   drift alerts raised: %d", checkpoints, driftAlerts),
                String.format("  end-to-end: %.1f pairs/s from push to labelled example (%.3f of the push alone, %.0f pairs/s)",
                        freshness.throughput(), freshness.throughput() / pushRate, pushRate),
                String.format("  freshness: median %.1f s, p95 %.1f s from push to the first checkpoint that includes the pair "
                        + "(%d of %d pairs; push to labelled example: median %.1f s)", freshness.freshMedianSeconds(),
                        freshness.freshP95Seconds(), freshness.inCheckpoint(), freshness.pairs(),
                        freshness.labelledMedianSeconds()),
                String.format("zero-shot accuracy: %.1f%% (chance %.1f%%: %d classes, %d held-out images; always the "
                        + "largest class: %.1f%%; balanced over classes: %.1f%%, chance %.1f%%)",
                        100 * metric("zero_shot_top1"), 100 * zeroShotChance(), Math.round(metric("zero_shot_classes")),
                        heldOut(), 100 * metric("zero_shot_majority_share"), 100 * metric("zero_shot_balanced_top1"),
                        100 * zeroShotChance()),
                String.format("recall@5: %.1f%% (chance %.1f%%: image to text among %d held-out captions; text to image %.1f%%)",
                        100 * metric("image_to_text_r5"), 100 * recallAt5Chance(), heldOut(),
                        100 * metric("text_to_image_r5"))));
        String replay = replayPolicy == null ? null : "replay: " + ContinualFigures.replayLine(replayPolicy, metrics);
        if (continual != null) {
            lines.add(String.format("continual: by %s, %d buckets over %d checkpoints: %s%s", accuracyMatrix.bucketing(),
                    accuracyMatrix.buckets().size(), accuracyMatrix.rows().size(), ContinualFigures.line(continual),
                    replay == null ? "" : "; " + replay));
        } else if (replay != null) {
            lines.add(replay);
        }
        return lines;
    }

    void print(PrintStream out, Path report) {
        lines().forEach(out::println);
        out.println("  report: " + report.toAbsolutePath());
    }
}
