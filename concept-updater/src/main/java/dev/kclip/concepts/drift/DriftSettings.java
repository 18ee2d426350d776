package dev.kclip.concepts.drift;

/**
 * How drift windows are cut and how often a stationary stream may alarm.
 *
 * @param windowRecords a window closes once it holds this many records (default 5,000); 0 = by time only
 * @param windowMillis a window closes once it spans this much event time; 0 (the default) = by records only
 * @param referenceRate how fast the reference concept mix and distance distribution follow the data: after each
 *     window, {@code reference ← (1 − rate)·reference + rate·window} (default 0.02, a slow moving average)
 * @param falseAlarmRate the share of windows of a stationary stream that may be ALERT (default 0.01: an expected
 *     run time of 100 windows between false alarms); split evenly over the {@value DriftThresholds#STATISTICS}
 *     statistics (Bonferroni)
 * @param warnRate the same for WARN (default 0.05)
 */
public record DriftSettings(long windowRecords, long windowMillis, double referenceRate, double falseAlarmRate,
        double warnRate) implements java.io.Serializable {

    /** Vectors per window (and in the reference) that the MMD compares. */
    public static final int SAMPLE_SIZE = 256;

    public DriftSettings {
        if (windowRecords < 0 || windowMillis < 0 || windowRecords == 0 && windowMillis == 0) {
            throw new IllegalArgumentException("a drift window needs a positive record count or time span");
        }
        if (!(referenceRate > 0 && referenceRate <= 1)) {
            throw new IllegalArgumentException("reference rate must be in (0, 1], not " + referenceRate);
        }
        if (!(falseAlarmRate > 0 && falseAlarmRate < 1) || !(warnRate >= falseAlarmRate && warnRate < 1)) {
            throw new IllegalArgumentException("need 0 < false-alarm rate ≤ warn rate < 1, got " + falseAlarmRate
                    + ", " + warnRate);
        }
    }

    public static DriftSettings defaults() {
        return new DriftSettings(5_000, 0, 0.02, 0.01, 0.05);
    }

    /** The same layout with other false-alarm rates (configured ones replace those a restored monitor had). */
    public DriftSettings withRates(double falseAlarm, double warn) {
        return new DriftSettings(windowRecords, windowMillis, referenceRate, falseAlarm, warn);
    }

    /**
     * The share of records a window's sample pre-filter lets through: four times {@link #SAMPLE_SIZE} per window
     * of records (the sample keeps the {@link #SAMPLE_SIZE} smallest hashes of those), all when cut by time.
     */
    public double sampleRate() {
        return windowRecords > 0 ? Math.min(1, 4.0 * SAMPLE_SIZE / windowRecords) : 1;
    }
}
