package dev.kclip.trainer.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The continual-learning accuracy matrix {@code A[checkpoint][bucket]} of a run (CLEAR, Lin et al. 2021; TiC-CLIP,
 * Garg et al. 2023, arXiv 2310.16226): one row per checkpoint, oldest first, holding the zero-shot accuracy on the
 * held-out pairs of every bucket that had any by then, including buckets whose training examples had not been
 * trained yet ("future" buckets, for forward transfer).
 *
 * @param bucketing how pairs were put into buckets, e.g. {@code field category} or {@code every 500 examples}
 * @param buckets every bucket, in the order its first pair arrived
 * @param rows one per checkpoint, oldest first
 */
public record AccuracyMatrix(String bucketing, List<String> buckets, List<Row> rows) {

    /**
     * One checkpoint.
     *
     * @param step the checkpoint's optimizer step
     * @param newest the bucket trained on most recently for the first time (the bucket being learnt), or null when
     *     nothing was trained
     * @param trained stream examples of each bucket trained (fresh, replays not counted) up to this checkpoint, in
     *     the order each bucket was first trained; a bucket not named is still in the future
     * @param cells accuracy per bucket that had held-out pairs at this checkpoint
     */
    public record Row(long step, String newest, Map<String, Long> trained, Map<String, BucketAccuracy> cells) {

        public Row {
            trained = new LinkedHashMap<>(trained);
            cells = new LinkedHashMap<>(cells);
        }

        /** Whether no example of {@code bucket} was trained before this checkpoint. */
        public boolean future(String bucket) {
            return trained.getOrDefault(bucket, 0L) == 0;
        }
    }

    public AccuracyMatrix {
        buckets = List.copyOf(buckets);
        rows = List.copyOf(rows);
    }

    /** An empty matrix. */
    public static AccuracyMatrix empty(String bucketing) {
        return new AccuracyMatrix(bucketing, List.of(), List.of());
    }

    /** This matrix with one more row and the buckets known by then. */
    public AccuracyMatrix with(List<String> allBuckets, Row row) {
        List<Row> more = new ArrayList<>(rows);
        more.add(row);
        return new AccuracyMatrix(bucketing, allBuckets, more);
    }

    /** {@code A[row][bucket]} top-1, or NaN when that checkpoint had no held-out pair of the bucket. */
    public double top1(int row, String bucket) {
        BucketAccuracy cell = rows.get(row).cells().get(bucket);
        return cell == null ? Double.NaN : cell.top1();
    }
}
