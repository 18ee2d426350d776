package dev.kclip.concepts.kmeans;

import java.time.Duration;

/**
 * Forgetting in the online update, set the way Spark MLlib's {@code StreamingKMeans.setHalfLife} sets it: the
 * decay factor is {@code a = 0.5^(elapsed / halfLife)}, so the weight of what was learned halves every half-life.
 * The half-life is counted in records (Spark's "points": {@code a = 0.5^(m / h)} for a batch of m records) or in
 * event time (milliseconds between the newest record of the last update and of this batch).
 *
 * @param unit what the half-life is counted in
 * @param halfLife records or milliseconds; {@code +∞} never forgets
 */
public record Decay(Unit unit, double halfLife) implements java.io.Serializable {

    /** What a half-life is counted in. */
    public enum Unit {
        RECORDS,
        MILLISECONDS
    }

    public Decay {
        if (unit == null || !(halfLife > 0)) {
            throw new IllegalArgumentException("a half-life must be positive, not " + halfLife);
        }
    }

    /** Halves the weights every {@code records} records. */
    public static Decay halfLifeRecords(double records) {
        return new Decay(Unit.RECORDS, records);
    }

    /** Halves the weights every {@code period} of event time. */
    public static Decay halfLifeTime(Duration period) {
        return new Decay(Unit.MILLISECONDS, period.toMillis());
    }

    /** No forgetting: the update becomes a running mean over everything seen. */
    public static Decay none() {
        return new Decay(Unit.RECORDS, Double.POSITIVE_INFINITY);
    }

    /**
     * The factor {@code a} applied to the old weights before a batch is folded in.
     *
     * @param batchRecords m, the records in the batch
     * @param elapsedMillis event time since the previous update (negative values count as 0)
     */
    public double factor(long batchRecords, long elapsedMillis) {
        if (Double.isInfinite(halfLife)) {
            return 1.0;
        }
        double elapsed = unit == Unit.RECORDS ? batchRecords : Math.max(0, elapsedMillis);
        return Math.pow(0.5, elapsed / halfLife);
    }
}
