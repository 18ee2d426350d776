package dev.kclip.concepts.drift;

import dev.kclip.concepts.state.WindowStatisticsState;
import java.util.Arrays;

/**
 * What drift is computed from, accumulated record by record: records per concept, the sum of distances to the
 * assigned centroid, how many were novel, and a {@link DistanceHistogram} of d². Merges by addition, like
 * {@link dev.kclip.concepts.kmeans.BatchStatistics}.
 */
public final class WindowStatistics {

    private final long[] conceptCounts;
    private final long[] histogram = new long[DistanceHistogram.BINS];
    private long records;
    private long novel;
    private double distanceSum;

    public WindowStatistics(int k) {
        this.conceptCounts = new long[k];
    }

    /**
     * Counts one labelled record.
     *
     * @param concept its concept
     * @param d2 its squared distance to that concept
     * @param noveltyThreshold the model's threshold: a record with {@code d2} above it is novel
     * @param tau the model's temperature (the histogram's scale)
     */
    public void observe(int concept, double d2, double noveltyThreshold, double tau) {
        conceptCounts[concept]++;
        records++;
        distanceSum += Math.sqrt(d2);
        if (d2 > noveltyThreshold) {
            novel++;
        }
        histogram[DistanceHistogram.bin(d2, tau)]++;
    }

    /** Adds another's counts (same K) into this one. */
    public void merge(WindowStatistics other) {
        if (other.conceptCounts.length != conceptCounts.length) {
            throw new IllegalArgumentException("cannot merge statistics over different K");
        }
        for (int c = 0; c < conceptCounts.length; c++) {
            conceptCounts[c] += other.conceptCounts[c];
        }
        for (int b = 0; b < histogram.length; b++) {
            histogram[b] += other.histogram[b];
        }
        records += other.records;
        novel += other.novel;
        distanceSum += other.distanceSum;
    }

    public int k() {
        return conceptCounts.length;
    }

    public long records() {
        return records;
    }

    public long novel() {
        return novel;
    }

    /** Σ√d², the sum of distances to the assigned centroids. */
    public double distanceSum() {
        return distanceSum;
    }

    public long[] conceptCounts() {
        return conceptCounts.clone();
    }

    public long[] histogram() {
        return histogram.clone();
    }

    /** These statistics as state (or a partial update). */
    public WindowStatisticsState toState() {
        return new WindowStatisticsState(Arrays.stream(conceptCounts).boxed().toList(),
                Arrays.stream(histogram).boxed().toList(), records, novel, distanceSum);
    }

    /** Reads what {@link #toState} wrote. */
    public static WindowStatistics fromState(WindowStatisticsState state) {
        WindowStatistics stats = new WindowStatistics(state.getConceptCounts().size());
        for (int c = 0; c < stats.conceptCounts.length; c++) {
            stats.conceptCounts[c] = state.getConceptCounts().get(c);
        }
        if (state.getHistogram().size() != stats.histogram.length) {
            throw new IllegalArgumentException(state.getHistogram().size() + " histogram bins, not "
                    + stats.histogram.length);
        }
        for (int b = 0; b < stats.histogram.length; b++) {
            stats.histogram[b] = state.getHistogram().get(b);
        }
        stats.records = state.getRecords();
        stats.novel = state.getNovel();
        stats.distanceSum = state.getDistanceSum();
        return stats;
    }
}
