package dev.kclip.concepts.kmeans;

import dev.kclip.concepts.state.BatchStatisticsState;
import dev.kclip.concepts.state.ConceptSum;
import dev.kclip.concepts.state.Float64s;
import java.util.ArrayList;
import java.util.List;

/**
 * What one mini-batch contributes to the update: per concept the number of records m_k assigned to it and the sum
 * Σx of their (prepared) vectors, plus the newest event time. Statistics from several assigners merge by addition,
 * which is what lets assignment run in parallel while the update runs once.
 */
public final class BatchStatistics {

    private final int k;
    private final int dim;
    private final double[] sums;
    private final long[] counts;
    private long records;
    private long maxEventTime = Long.MIN_VALUE;

    public BatchStatistics(int k, int dim) {
        if (k < 1 || dim < 1) {
            throw new IllegalArgumentException("K and D must be positive");
        }
        this.k = k;
        this.dim = dim;
        this.sums = new double[k * dim];
        this.counts = new long[k];
    }

    /** Adds one prepared vector assigned to {@code concept}, seen at {@code eventTime} (epoch ms). */
    public void add(int concept, float[] prepared, long eventTime) {
        if (prepared.length != dim) {
            throw new IllegalArgumentException("vector has " + prepared.length + " values, the batch " + dim);
        }
        int offset = concept * dim;
        for (int j = 0; j < dim; j++) {
            sums[offset + j] += prepared[j];
        }
        counts[concept]++;
        records++;
        maxEventTime = Math.max(maxEventTime, eventTime);
    }

    /** Adds another batch's statistics (same K and D) into this one. */
    public void merge(BatchStatistics other) {
        if (other.k != k || other.dim != dim) {
            throw new IllegalArgumentException("cannot merge statistics of K=" + other.k + ", D=" + other.dim
                    + " into K=" + k + ", D=" + dim);
        }
        for (int i = 0; i < sums.length; i++) {
            sums[i] += other.sums[i];
        }
        for (int c = 0; c < k; c++) {
            counts[c] += other.counts[c];
        }
        records += other.records;
        maxEventTime = Math.max(maxEventTime, other.maxEventTime);
    }

    public int k() {
        return k;
    }

    public int dim() {
        return dim;
    }

    /** m, the records in the batch. */
    public long records() {
        return records;
    }

    /** m_k, the records assigned to {@code concept}. */
    public long count(int concept) {
        return counts[concept];
    }

    /** Σx over the records assigned to {@code concept}, component {@code j}. */
    public double sum(int concept, int j) {
        return sums[concept * dim + j];
    }

    /** The newest event time in the batch, or {@link Long#MIN_VALUE} when empty. */
    public long maxEventTime() {
        return maxEventTime;
    }

    public boolean isEmpty() {
        return records == 0;
    }

    /** These statistics as state (or a partial update): only concepts that received records carry their sums. */
    public BatchStatisticsState toState() {
        List<ConceptSum> nonEmpty = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            if (counts[c] > 0) {
                nonEmpty.add(new ConceptSum(c, counts[c], Float64s.encode(sums, c * dim, dim)));
            }
        }
        return new BatchStatisticsState(k, dim, records, maxEventTime, nonEmpty);
    }

    /** Reads what {@link #toState} wrote. */
    public static BatchStatistics fromState(BatchStatisticsState state) {
        BatchStatistics stats = new BatchStatistics(state.getK(), state.getDim());
        stats.records = state.getRecords();
        stats.maxEventTime = state.getMaxEventTime();
        for (ConceptSum sum : state.getConcepts()) {
            stats.counts[sum.getConcept()] = sum.getCount();
            Float64s.decode(sum.getSum(), stats.sums, sum.getConcept() * stats.dim, stats.dim);
        }
        return stats;
    }
}
