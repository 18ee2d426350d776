package dev.kclip.concepts.stream;

import dev.kclip.concepts.drift.DriftMonitor;
import dev.kclip.concepts.drift.DriftSettings;
import dev.kclip.concepts.drift.WindowStatistics;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.state.CentroidsState;
import dev.kclip.concepts.state.DriftMonitorState;
import dev.kclip.concepts.state.WindowStatisticsState;
import dev.kclip.schemas.Float32Vectors;
import java.util.ArrayList;
import java.util.List;

/**
 * Widens the drift statistics when a birth grows K: through their state (the drift package's own format), the
 * per-concept arrays get zeros for the new rows and the window's start centroids get the new rows as they are
 * now (so a born concept shows no displacement for the window it was born in). Everything else is unchanged: the
 * calibrated JS null was drawn for the smaller K and is kept (nothing re-calibrates a running stream; a born concept's share
 * against a reference of 0 is drift, and reads as such).
 */
final class DriftGrowth {

    private DriftGrowth() {
    }

    /** {@code monitor} over the K rows of {@code grown} (K at least the monitor's). */
    static DriftMonitor monitor(DriftMonitor monitor, ConceptModel grown, DriftSettings settings) {
        DriftMonitorState state = monitor.toState();
        int k = grown.k();
        List<Double> mix = new ArrayList<>(state.getReferenceMix());
        while (mix.size() < k) {
            mix.add(0.0);
        }
        state.setReferenceMix(mix);
        state.setCurrent(window(state.getCurrent(), k));
        CentroidsState start = state.getWindowStartCentroids();
        float[] old = Float32Vectors.decode(start.getMeans(), start.getK() * start.getDim());
        float[] means = grown.centroids().rowMajor();
        System.arraycopy(old, 0, means, 0, old.length);
        state.setWindowStartCentroids(new CentroidsState(k, start.getDim(), start.getDistance(),
                Float32Vectors.encode(means)));
        return DriftMonitor.fromState(state, settings);
    }

    /** {@code window} over {@code k} concepts (zeros for the new ones). */
    static WindowStatistics window(WindowStatistics window, int k) {
        return WindowStatistics.fromState(window(window.toState(), k));
    }

    private static WindowStatisticsState window(WindowStatisticsState state, int k) {
        List<Long> counts = new ArrayList<>(state.getConceptCounts());
        while (counts.size() < k) {
            counts.add(0L);
        }
        return WindowStatisticsState.newBuilder(state).setConceptCounts(counts).build();
    }
}
