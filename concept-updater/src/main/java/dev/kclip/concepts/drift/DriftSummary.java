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
 * @param centroidDisplacement mean centroid movement over the window, in mean within-cluster distances (reported,
 *     not alarmed on)
 * @param noveltyRate share of records beyond the reference 99th percentile of d²
 * @param mmd MMD²ᵤ between the window's vector sample and the reference sample; NaN when not measured
 * @param meanEntropy mean entropy (nats) of the window's soft labels; NaN when unknown
 * @param meanTopProbability mean top-1 probability of the window's soft labels; NaN when unknown
 * @param thresholds the calibrated thresholds the window was judged by; null in the reference period
 * @param reasons why it is WARN or ALERT (which statistic beyond which threshold), or that it is the reference
 *     period
 * @param rising the concepts whose share rose most against the reference, largest rise first
 * @param falling those whose share fell most, largest fall first
 * @param reseeded concepts re-seeded during the window
 * @param level OK, WARN or ALERT
 * @param centroidVersion model version at the window's end
 */
public record DriftSummary(long window, long windowStart, long windowEnd, long records, long[] conceptCounts,
        double jsDivergence, double centroidDisplacement, double noveltyRate, double mmd, double meanEntropy,
        double meanTopProbability, DriftThresholds thresholds, List<String> reasons, List<ConceptShift> rising,
        List<ConceptShift> falling, List<Integer> reseeded, DriftLevel level, long centroidVersion) {

    /**
     * A concept whose share moved.
     *
     * @param concept its index
     * @param share its share of the window
     * @param referenceShare its share of the reference
     * @param captions captions nearest it in the window, nearest first (may be empty)
     */
    public record ConceptShift(int concept, double share, double referenceShare, List<String> captions) {
    }
}
