package dev.kclip.concepts.drift;

import dev.kclip.concepts.state.WindowStatisticsState;
import java.util.Arrays;
import java.util.List;

/**
 * What drift is computed from, accumulated record by record: records per concept, the sum of distances to the
 * assigned centroid, how many were novel, a {@link DistanceHistogram} of d², the sharpness of the soft labels
 * (sums of their entropy and top probability) and a {@link VectorSample} of the prepared vectors for the MMD.
 * Merges by addition, like {@link dev.kclip.concepts.kmeans.BatchStatistics} (the sample by its own merge).
 */
public final class WindowStatistics {

    private final long[] conceptCounts;
    private final long[] histogram = new long[DistanceHistogram.BINS];
    private long records;
    private long novel;
    private double distanceSum;
    private long sharpnessRecords;
    private double entropySum;
    private double topProbabilitySum;
    private final VectorSample sample;

    /** Statistics over K concepts with a vector sample of {@link DriftSettings#SAMPLE_SIZE}. */
    public WindowStatistics(int k) {
        this(k, DriftSettings.SAMPLE_SIZE);
    }

    /** Statistics over K concepts keeping at most {@code sampleCapacity} vectors. */
    public WindowStatistics(int k, int sampleCapacity) {
        this.conceptCounts = new long[k];
        this.sample = new VectorSample(sampleCapacity);
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

    /**
     * Counts the sharpness of one record's soft label.
     *
     * @param entropy its entropy in nats ({@link LabelSharpness#entropy})
     * @param topProbability its largest probability
     */
    public void observeSharpness(double entropy, double topProbability) {
        sharpnessRecords++;
        entropySum += entropy;
        topProbabilitySum += topProbability;
    }

    /**
     * Offers one record's prepared vector to the window's sample.
     *
     * @param eventTime the record's event time
     * @param rate the pre-filter's share ({@link DriftSettings#sampleRate})
     */
    public void sample(float[] prepared, long eventTime, double rate) {
        sample.offer(prepared, eventTime, rate);
    }

    private WindowStatistics(int k, VectorSample sample) {
        this.conceptCounts = new long[k];
        this.sample = sample;
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
        sharpnessRecords += other.sharpnessRecords;
        entropySum += other.entropySum;
        topProbabilitySum += other.topProbabilitySum;
        sample.merge(other.sample);
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

    /** Mean entropy (nats) of the soft labels counted by {@link #observeSharpness}; NaN when none were. */
    public double meanEntropy() {
        return sharpnessRecords == 0 ? Double.NaN : entropySum / sharpnessRecords;
    }

    /** Mean top probability of the soft labels counted by {@link #observeSharpness}; NaN when none were. */
    public double meanTopProbability() {
        return sharpnessRecords == 0 ? Double.NaN : topProbabilitySum / sharpnessRecords;
    }

    /** The sampled prepared vectors. */
    public List<float[]> sampledVectors() {
        return sample.vectors();
    }

    /** The sample itself (read only: the reference sample is cut from a reference period's). */
    VectorSample vectorSample() {
        return sample;
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
                Arrays.stream(histogram).boxed().toList(), records, novel, distanceSum, sharpnessRecords, entropySum,
                topProbabilitySum, sample.toState());
    }

    /** Reads what {@link #toState} wrote. */
    public static WindowStatistics fromState(WindowStatisticsState state) {
        // state written before samples existed has none: such a window samples nothing more
        WindowStatistics stats = state.getSample() == null ? new WindowStatistics(state.getConceptCounts().size(), 0)
                : new WindowStatistics(state.getConceptCounts().size(), VectorSample.fromState(state.getSample()));
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
        stats.sharpnessRecords = state.getSharpnessRecords();
        stats.entropySum = state.getEntropySum();
        stats.topProbabilitySum = state.getTopProbabilitySum();
        return stats;
    }
}
