package dev.kclip.launcher.demo;

import dev.kclip.schemas.Topics;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How fast pairs move through the pipeline: end-to-end throughput (push to labelled example) and freshness (push
 * to the first checkpoint whose offsets include the example, i.e. the first published model that learned from it
 * or, for held-out pairs, evaluated on it).
 *
 * @param pairs labelled examples measured
 * @param throughput pairs per second from the first push to the last labelled example
 * @param labelledMedianSeconds median time from push to labelled example
 * @param freshMedianSeconds median time from push to the first checkpoint that includes the example
 * @param freshP95Seconds 95th percentile of the same
 * @param inCheckpoint examples some checkpoint includes
 */
public record Freshness(int pairs, double throughput, double labelledMedianSeconds, double freshMedianSeconds,
        double freshP95Seconds, int inCheckpoint) {

    static Freshness of(List<PipelineObserver.Labelled> labelled, List<CheckpointManifest> checkpoints) {
        if (labelled.isEmpty()) {
            return new Freshness(0, 0, Double.NaN, Double.NaN, Double.NaN, 0);
        }
        long firstPush = labelled.stream().mapToLong(PipelineObserver.Labelled::ingestMillis).min().orElseThrow();
        long lastLabelled = labelled.stream().mapToLong(PipelineObserver.Labelled::labelledMillis).max().orElseThrow();
        double[] toLabel = labelled.stream().mapToDouble(l -> (l.labelledMillis() - l.ingestMillis()) / 1000.0).toArray();
        List<Double> toCheckpoint = new ArrayList<>();
        for (PipelineObserver.Labelled l : labelled) {
            String key = CheckpointManifest.offsetKey(Topics.TRAIN_EXAMPLES.name(), l.partition());
            for (CheckpointManifest c : checkpoints) {
                Long next = c.offsets().get(key);
                if (next != null && next > l.offset()) {
                    toCheckpoint.add((Instant.parse(c.createdTime()).toEpochMilli() - l.ingestMillis()) / 1000.0);
                    break;
                }
            }
        }
        double[] fresh = toCheckpoint.stream().mapToDouble(Double::doubleValue).toArray();
        return new Freshness(labelled.size(), labelled.size() / Math.max(1e-3, (lastLabelled - firstPush) / 1000.0),
                percentile(toLabel, 0.5), percentile(fresh, 0.5), percentile(fresh, 0.95), fresh.length);
    }

    static double percentile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }
}
