package dev.kclip.concepts.drift;

import dev.kclip.schemas.DriftLevel;
import java.util.List;

/**
 * One closed drift window (the content of a {@code DriftReport}).
 *
 * @param window sequence number, from 0
 * @param windowStart event time (epoch ms) where the window began
 * @param windowEnd event time of its newest record
 * @param records records labelled in the window
 * @param conceptCounts records per concept
 * @param jsDivergence Jensen-Shannon divergence (bits) of the window's concept mix against the reference
 * @param centroidDisplacement mean centroid movement over the window, in mean within-cluster distances
 * @param noveltyRate share of records beyond the reference 99th percentile of d²
 * @param reseeded concepts re-seeded during the window
 * @param level OK, WARN or ALERT
 * @param centroidVersion model version at the window's end
 */
public record DriftSummary(long window, long windowStart, long windowEnd, long records, long[] conceptCounts,
        double jsDivergence, double centroidDisplacement, double noveltyRate, List<Integer> reseeded,
        DriftLevel level, long centroidVersion) {
}
