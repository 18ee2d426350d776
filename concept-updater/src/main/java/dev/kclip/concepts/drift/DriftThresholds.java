package dev.kclip.concepts.drift;

import dev.kclip.schemas.DriftLevel;

/**
 * When a window's drift is WARN or ALERT: a level is reached when any one measure reaches its threshold.
 *
 * @param jsWarn Jensen-Shannon divergence (bits) of the concept mix against the reference (default 0.05)
 * @param jsAlert (default 0.15)
 * @param noveltyWarn share of records beyond the reference 99th percentile; about 0.01 when nothing changes
 *     (default 0.03)
 * @param noveltyAlert (default 0.10)
 * @param displacementWarn mean centroid movement over the window in mean within-cluster distances (default 0.5)
 * @param displacementAlert (default 1.0)
 */
public record DriftThresholds(double jsWarn, double jsAlert, double noveltyWarn, double noveltyAlert,
        double displacementWarn, double displacementAlert) implements java.io.Serializable {

    public DriftThresholds {
        check("js", jsWarn, jsAlert);
        check("novelty", noveltyWarn, noveltyAlert);
        check("displacement", displacementWarn, displacementAlert);
    }

    public static DriftThresholds defaults() {
        return new DriftThresholds(0.05, 0.15, 0.03, 0.10, 0.5, 1.0);
    }

    /** The level these thresholds give the three measures. */
    public DriftLevel level(double js, double noveltyRate, double displacement) {
        if (js >= jsAlert || noveltyRate >= noveltyAlert || displacement >= displacementAlert) {
            return DriftLevel.ALERT;
        }
        if (js >= jsWarn || noveltyRate >= noveltyWarn || displacement >= displacementWarn) {
            return DriftLevel.WARN;
        }
        return DriftLevel.OK;
    }

    private static void check(String name, double warn, double alert) {
        if (!(warn > 0) || !(alert >= warn)) {
            throw new IllegalArgumentException(name + " thresholds need 0 < warn ≤ alert, got " + warn + ", " + alert);
        }
    }
}
