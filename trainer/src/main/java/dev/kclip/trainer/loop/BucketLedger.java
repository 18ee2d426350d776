package dev.kclip.trainer.loop;

import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.eval.AccuracyMatrix;
import dev.kclip.trainer.eval.BucketAccuracy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-bucket bookkeeping of the continual evaluation: which buckets have appeared (a bucket appears with its
 * first pair, held out or not), the newest held-out pairs of each (up to a capacity per bucket, kept for as long as
 * the run lasts, so that old buckets are evaluated again at every checkpoint and buckets not trained yet can be
 * evaluated before they are), how many stream examples of each were trained, and the accuracy matrix so far.
 * Without buckets everything is one bucket ({@code null}) and no matrix is kept.
 */
final class BucketLedger {

    private final TrainerConfig.Bucketing bucketing;
    private final int capacity;
    private final Set<String> appeared = new LinkedHashSet<>();
    private final Map<String, Deque<TrainingExample>> heldOut = new LinkedHashMap<>();
    private final Map<String, Long> trained = new LinkedHashMap<>();
    private AccuracyMatrix matrix;

    BucketLedger(TrainerConfig.Bucketing bucketing, int capacity) {
        this.bucketing = bucketing;
        this.capacity = capacity;
        this.matrix = bucketing.enabled() ? AccuracyMatrix.empty(bucketing.describe()) : null;
    }

    /**
     * Continues from a checkpoint's matrix: its buckets, rows and training counts (the held-out pairs are not in a
     * checkpoint; they refill from the stream).
     */
    void restore(AccuracyMatrix restored) {
        if (restored == null || !bucketing.enabled()) {
            return;
        }
        matrix = new AccuracyMatrix(bucketing.describe(), restored.buckets(), restored.rows());
        appeared.addAll(restored.buckets());
        if (!restored.rows().isEmpty()) {
            trained.putAll(restored.rows().get(restored.rows().size() - 1).trained());
        }
    }

    /** A pair of {@code bucket} arrived. */
    void arrived(String bucket) {
        if (bucket != null) {
            appeared.add(bucket);
        }
    }

    /** Keeps a held-out pair in its bucket; the bucket's oldest goes when it is full. */
    void heldOut(TrainingExample example) {
        Deque<TrainingExample> kept = heldOut.computeIfAbsent(example.bucket(), b -> new ArrayDeque<>());
        kept.addLast(example);
        while (kept.size() > capacity) {
            kept.removeFirst();
        }
    }

    /** Whether {@code batch} holds the first example of a bucket to be trained while another was trained before. */
    boolean startsNewBucket(List<TrainingExample> batch) {
        if (!bucketing.enabled() || trained.isEmpty()) {
            return false;
        }
        return batch.stream().anyMatch(e -> !trained.containsKey(e.bucket()));
    }

    /** Counts the fresh examples of a step. */
    void trained(List<TrainingExample> fresh) {
        if (bucketing.enabled()) {
            fresh.forEach(e -> trained.merge(e.bucket(), 1L, Long::sum));
        }
    }

    /** Every held-out pair kept, bucket by bucket. */
    List<TrainingExample> heldOutExamples() {
        List<TrainingExample> all = new ArrayList<>();
        heldOut.values().forEach(all::addAll);
        return all;
    }

    /** The bucket of each of {@link #heldOutExamples()}, or null without buckets. */
    List<String> heldOutBuckets() {
        return bucketing.enabled() ? heldOutExamples().stream().map(TrainingExample::bucket).toList() : null;
    }

    /** Adds the row of a checkpoint at {@code step} and returns the matrix, or null without buckets. */
    AccuracyMatrix record(long step, Map<String, BucketAccuracy> cells) {
        if (!bucketing.enabled()) {
            return null;
        }
        String newest = null;
        for (String bucket : trained.keySet()) {
            newest = bucket;
        }
        matrix = matrix.with(List.copyOf(appeared), new AccuracyMatrix.Row(step, newest, trained, cells));
        return matrix;
    }

    /** The matrix so far, or null without buckets. */
    AccuracyMatrix matrix() {
        return matrix;
    }
}
