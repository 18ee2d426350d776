package dev.kclip.trainer.eval;

/**
 * The three summary figures of an {@link AccuracyMatrix} (zero-shot top-1), each null when the matrix has no entry
 * it needs. With {@code l(j)} the last checkpoint at which bucket {@code j} was the newest bucket trained ("right
 * after it was learnt", the diagonal of CLEAR's matrix), {@code T} the last checkpoint and {@code b(j)} the last
 * checkpoint before any example of {@code j} was trained at which {@code j} already had held-out pairs:
 * <ul>
 *   <li>{@code inDomain} = mean over buckets of {@code A[l(j)][j]} (TiC-CLIP's and CLEAR's in-domain accuracy, the
 *       mean of the diagonal);</li>
 *   <li>{@code backwardTransfer} = mean over buckets learnt before {@code T} of {@code A[T][j] − A[l(j)][j]}
 *       (BWT of Lopez-Paz and Ranzato, GEM, 2017, the definition CLEAR and TiC-CLIP report; negative is
 *       forgetting, {@code forgetting = −backwardTransfer});</li>
 *   <li>{@code forwardTransfer} = mean over buckets with a {@code b(j)} of {@code A[b(j)][j] − 1/C} (GEM's FWT,
 *       {@code A[j−1][j] − b̄_j}, with the reference {@code b̄_j} taken as chance among the {@code C} classes
 *       prompted, which is what an untrained model scores in expectation); {@code forwardAccuracy} is the same
 *       mean without the reference, TiC-CLIP's accuracy on future data.</li>
 * </ul>
 *
 * @param learnt buckets with a diagonal entry
 * @param compared buckets in the backward-transfer mean
 * @param ahead buckets in the forward-transfer mean
 */
public record ContinualMetrics(Double inDomain, Double backwardTransfer, Double forwardTransfer,
        Double forwardAccuracy, int learnt, int compared, int ahead) {

    /** The figures of {@code matrix}. */
    public static ContinualMetrics of(AccuracyMatrix matrix) {
        int last = matrix.rows().size() - 1;
        double diagonal = 0;
        double backward = 0;
        double forward = 0;
        double forwardRaw = 0;
        int learnt = 0;
        int compared = 0;
        int ahead = 0;
        for (String bucket : matrix.buckets()) {
            int learntAt = -1;
            int before = -1;
            for (int r = 0; r <= last; r++) {
                AccuracyMatrix.Row row = matrix.rows().get(r);
                if (bucket.equals(row.newest())) {
                    learntAt = r;
                }
                if (row.future(bucket) && row.cells().containsKey(bucket)) {
                    before = r;
                }
            }
            if (learntAt >= 0 && !Double.isNaN(matrix.top1(learntAt, bucket))) {
                double justLearnt = matrix.top1(learntAt, bucket);
                diagonal += justLearnt;
                learnt++;
                if (learntAt < last && !Double.isNaN(matrix.top1(last, bucket))) {
                    backward += matrix.top1(last, bucket) - justLearnt;
                    compared++;
                }
            }
            if (before >= 0) {
                BucketAccuracy cell = matrix.rows().get(before).cells().get(bucket);
                forward += cell.top1() - cell.chance();
                forwardRaw += cell.top1();
                ahead++;
            }
        }
        return new ContinualMetrics(mean(diagonal, learnt), mean(backward, compared), mean(forward, ahead),
                mean(forwardRaw, ahead), learnt, compared, ahead);
    }

    /** {@code −backwardTransfer}: how much of what was learnt is lost by the end, or null. */
    public Double forgetting() {
        return backwardTransfer == null ? null : -backwardTransfer;
    }

    private static Double mean(double sum, int n) {
        return n == 0 ? null : sum / n;
    }
}
