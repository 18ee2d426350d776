package dev.kclip.concepts.drift;

/**
 * How drift windows are cut and judged.
 *
 * @param windowRecords a window closes once it holds this many records (default 5,000); 0 = by time only
 * @param windowMillis a window closes once it spans this much event time; 0 (the default) = by records only
 * @param referenceRate how fast the reference follows the data: after each window,
 *     {@code reference ← (1 − rate)·reference + rate·window} (default 0.02, a slow moving average)
 * @param thresholds when a window is WARN or ALERT
 */
public record DriftSettings(long windowRecords, long windowMillis, double referenceRate, DriftThresholds thresholds)
        implements java.io.Serializable {

    public DriftSettings {
        if (windowRecords < 0 || windowMillis < 0 || windowRecords == 0 && windowMillis == 0) {
            throw new IllegalArgumentException("a drift window needs a positive record count or time span");
        }
        if (!(referenceRate > 0 && referenceRate <= 1)) {
            throw new IllegalArgumentException("reference rate must be in (0, 1], not " + referenceRate);
        }
        if (thresholds == null) {
            throw new IllegalArgumentException("thresholds are required");
        }
    }

    public static DriftSettings defaults() {
        return new DriftSettings(5_000, 0, 0.02, DriftThresholds.defaults());
    }
}
