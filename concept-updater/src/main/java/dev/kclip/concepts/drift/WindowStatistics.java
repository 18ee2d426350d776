package dev.kclip.concepts.drift;

import java.nio.ByteBuffer;

/**
 * What drift is computed from, accumulated record by record: records per concept, the sum of distances to the
 * assigned centroid, how many were novel, and a {@link DistanceHistogram} of d². Merges by addition, like
 * {@link dev.kclip.concepts.kmeans.BatchStatistics}.
 */
public final class WindowStatistics {

    private static final int CODEC_MAGIC = 0x4b575331; // "KWS1"

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

    public byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 + 8 * conceptCounts.length + 8 * histogram.length + 8 * 3);
        buffer.putInt(CODEC_MAGIC).putInt(conceptCounts.length);
        buffer.putLong(records).putLong(novel).putDouble(distanceSum);
        for (long c : conceptCounts) {
            buffer.putLong(c);
        }
        for (long h : histogram) {
            buffer.putLong(h);
        }
        return buffer.array();
    }

    public static WindowStatistics fromBytes(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt() != CODEC_MAGIC) {
            throw new IllegalArgumentException("not serialized window statistics");
        }
        WindowStatistics stats = new WindowStatistics(buffer.getInt());
        stats.records = buffer.getLong();
        stats.novel = buffer.getLong();
        stats.distanceSum = buffer.getDouble();
        for (int c = 0; c < stats.conceptCounts.length; c++) {
            stats.conceptCounts[c] = buffer.getLong();
        }
        for (int b = 0; b < stats.histogram.length; b++) {
            stats.histogram[b] = buffer.getLong();
        }
        return stats;
    }
}
