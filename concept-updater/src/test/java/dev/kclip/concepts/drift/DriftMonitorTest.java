package dev.kclip.concepts.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.kmeans.Centroids;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.kmeans.Kernel;
import dev.kclip.schemas.DriftLevel;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DriftMonitorTest {

    private static final double TAU = 1.0;
    private final ConceptModel model = new ConceptModel(
            Centroids.of(new float[][] {{0, 0}, {10, 0}}, Distance.EUCLIDEAN),
            new double[] {50, 50}, Kernel.GAUSSIAN, TAU, 4.0, 1, 100, 0);
    private final DriftSettings settings = new DriftSettings(100, 0, 0.05, DriftThresholds.defaults());

    /** {@code n} records, a share {@code shareOfZero} in concept 0, all at d² = 1 except {@code novel} at d² = 100. */
    private static WindowStatistics batch(int n, double shareOfZero, int novel) {
        WindowStatistics stats = new WindowStatistics(2);
        for (int i = 0; i < n; i++) {
            stats.observe(i < shareOfZero * n ? 0 : 1, i < novel ? 100 : 1, 4.0, TAU);
        }
        return stats;
    }

    @Test
    void stationaryWindowIsOkAndClosesAtTheRecordCount() {
        DriftMonitor monitor = DriftMonitor.start(model, batch(100, 0.5, 0), settings, 1_000);
        assertEquals(Optional.empty(), monitor.add(batch(60, 0.5, 0), model, List.of(), 2_000));
        DriftSummary summary = monitor.add(batch(60, 0.5, 0), model, List.of(), 3_000).orElseThrow();
        assertEquals(0, summary.window());
        assertEquals(1_000, summary.windowStart());
        assertEquals(3_000, summary.windowEnd());
        assertEquals(120, summary.records());
        assertArrayEquals(new long[] {60, 60}, summary.conceptCounts());
        assertEquals(0.0, summary.jsDivergence(), 1e-12);
        assertEquals(0.0, summary.centroidDisplacement(), 1e-12);
        assertEquals(0.0, summary.noveltyRate(), 1e-12);
        assertEquals(DriftLevel.OK, summary.level());
        // the next window starts where this one ended
        assertEquals(1, monitor.add(batch(100, 0.5, 0), model, List.of(), 4_000).orElseThrow().window());
    }

    @Test
    void changedMixRaisesTheDivergence() {
        DriftMonitor monitor = DriftMonitor.start(model, batch(100, 0.5, 0), settings, 0);
        DriftSummary summary = monitor.add(batch(100, 0.0, 0), model, List.of(), 1).orElseThrow();
        // window (0, 1) against reference (½, ½)
        assertEquals(1.5 - 0.75 * Math.log(3) / Math.log(2) + 0.0, summary.jsDivergence(), 1e-9);
        assertEquals(DriftLevel.ALERT, summary.level());
        // the reference moved 5% toward the window
        assertArrayEquals(new double[] {0.475, 0.525}, monitor.referenceMix(), 1e-12);
    }

    @Test
    void noveltyRateAndDisplacementAreMeasuredAgainstTheWindowStart() {
        DriftMonitor monitor = DriftMonitor.start(model, batch(100, 0.5, 0), settings, 0);
        ConceptModel moved = new ConceptModel(
                Centroids.of(new float[][] {{0, 3}, {10, 1}}, Distance.EUCLIDEAN),
                new double[] {50, 50}, Kernel.GAUSSIAN, TAU, 4.0, 2, 200, 0);
        DriftSummary summary = monitor.add(batch(100, 0.5, 20), moved, List.of(1), 1).orElseThrow();
        assertEquals(0.20, summary.noveltyRate(), 1e-12);
        // centroids moved 3 and 1: mean 2; mean distance of records = (80·1 + 20·10)/100 = 2.8
        assertEquals(2.0 / 2.8, summary.centroidDisplacement(), 1e-9);
        assertEquals(List.of(1), summary.reseeded());
        assertEquals(2, summary.centroidVersion());
        assertEquals(DriftLevel.ALERT, summary.level());
    }

    @Test
    void noveltyThresholdIsTheReference99thPercentile() {
        WindowStatistics bootstrap = new WindowStatistics(2);
        for (int i = 0; i < 1000; i++) {
            bootstrap.observe(0, (i + 1) / 1000.0, 10, TAU); // d² uniform in (0, 1]
        }
        DriftMonitor monitor = DriftMonitor.start(model, bootstrap, settings, 0);
        double threshold = monitor.noveltyThreshold();
        // the upper edge of the bin holding 0.99: within one bin (9%) above it
        assertTrue(threshold >= 0.99 && threshold <= 0.99 * Math.pow(2, 1 / 8.0), "threshold " + threshold);
    }

    @Test
    void stateRoundTripKeepsTheWindowInProgress() {
        DriftMonitor monitor = DriftMonitor.start(model, batch(100, 0.5, 0), settings, 5);
        monitor.add(batch(50, 0.0, 0), model, List.of(0), 6);
        DriftMonitor copy = DriftMonitor.fromState(monitor.toState(), DriftThresholds.defaults());
        DriftSummary a = monitor.add(batch(50, 0.0, 0), model, List.of(), 7).orElseThrow();
        DriftSummary b = copy.add(batch(50, 0.0, 0), model, List.of(), 7).orElseThrow();
        assertEquals(a.jsDivergence(), b.jsDivergence(), 0);
        assertArrayEquals(a.conceptCounts(), b.conceptCounts());
        assertEquals(List.of(0), b.reseeded());
        assertEquals(a.windowStart(), b.windowStart());
        assertEquals(monitor.noveltyThreshold(), copy.noveltyThreshold(), 0);
    }

    @Test
    void thresholdsPickTheWorstMeasure() {
        DriftThresholds t = DriftThresholds.defaults();
        assertEquals(DriftLevel.OK, t.level(0.01, 0.01, 0.1));
        assertEquals(DriftLevel.WARN, t.level(0.06, 0.01, 0.1));
        assertEquals(DriftLevel.WARN, t.level(0.01, 0.05, 0.1));
        assertEquals(DriftLevel.ALERT, t.level(0.01, 0.01, 1.5));
        assertEquals(DriftLevel.ALERT, t.level(0.2, 0.01, 0.1));
    }
}
