package dev.kclip.concepts.drift;

import dev.kclip.schemas.DriftLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When a window's drift is WARN or ALERT, calibrated on the reference period ({@link Calibration}): each statistic's
 * threshold is the {@code 1 − rate/3} quantile of its null distribution, so a stationary stream exceeds any one of
 * the three with probability at most {@code rate} per window (Bonferroni). A level is reached when any statistic
 * exceeds its threshold; an MMD threshold of NaN (too few reference vectors) never fires.
 *
 * @param jsWarn Jensen-Shannon divergence (bits) of the concept mix against the reference
 * @param jsAlert
 * @param noveltyWarn share of records beyond the reference 99th percentile of d²
 * @param noveltyAlert
 * @param mmdWarn MMD²ᵤ between the window's and the reference's vector samples
 * @param mmdAlert
 */
public record DriftThresholds(double jsWarn, double jsAlert, double noveltyWarn, double noveltyAlert,
        double mmdWarn, double mmdAlert) implements java.io.Serializable {

    /** The statistics that alarm (the Bonferroni divisor): JS divergence, novelty rate, MMD². */
    public static final int STATISTICS = 3;

    /** The thresholds {@code calibration} gives for the rates of {@code settings}. */
    public static DriftThresholds of(Calibration calibration, DriftSettings settings) {
        double alert = settings.falseAlarmRate() / STATISTICS;
        double warn = settings.warnRate() / STATISTICS;
        return new DriftThresholds(upperQuantile(calibration.jsNull(), warn),
                upperQuantile(calibration.jsNull(), alert), upperQuantile(calibration.noveltyNull(), warn),
                upperQuantile(calibration.noveltyNull(), alert), upperQuantile(calibration.mmdNull(), warn),
                upperQuantile(calibration.mmdNull(), alert));
    }

    /**
     * The value a null draw exceeds with probability about {@code tail}: the ⌈(1 − tail)(B + 1)⌉-th smallest of
     * the B sorted draws (the largest when B is too small for the tail); NaN without draws.
     */
    static double upperQuantile(double[] sortedDraws, double tail) {
        if (sortedDraws.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil((1 - tail) * (sortedDraws.length + 1));
        return sortedDraws[Math.max(0, Math.min(sortedDraws.length - 1, rank - 1))];
    }

    /** The level of a window with these statistics (mmd NaN when not measured). */
    public DriftLevel level(double js, double noveltyRate, double mmd) {
        if (js > jsAlert || noveltyRate > noveltyAlert || mmd > mmdAlert) {
            return DriftLevel.ALERT;
        }
        if (js > jsWarn || noveltyRate > noveltyWarn || mmd > mmdWarn) {
            return DriftLevel.WARN;
        }
        return DriftLevel.OK;
    }

    /** Which statistics exceed which threshold, e.g. {@code "mmd 0.0213 > alert 0.0041"}; empty when OK. */
    public List<String> reasons(double js, double noveltyRate, double mmd) {
        List<String> reasons = new ArrayList<>();
        reason(reasons, "js", js, jsWarn, jsAlert);
        reason(reasons, "novelty", noveltyRate, noveltyWarn, noveltyAlert);
        reason(reasons, "mmd", mmd, mmdWarn, mmdAlert);
        return reasons;
    }

    private static void reason(List<String> reasons, String name, double value, double warn, double alert) {
        if (value > alert) {
            reasons.add(String.format(Locale.ROOT, "%s %.4g > alert %.4g", name, value, alert));
        } else if (value > warn) {
            reasons.add(String.format(Locale.ROOT, "%s %.4g > warn %.4g", name, value, warn));
        }
    }
}
