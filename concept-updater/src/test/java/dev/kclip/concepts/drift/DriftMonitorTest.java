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
    private final DriftSettings settings = new DriftSettings(100, 0, 0.05, 0.01, 0.05);

    /** {@code n} records, a share {@code shareOfZero} in concept 0, all at d² = 1 except {@code novel} at d² = 100. */
    private static WindowStatistics batch(int n, double shareOfZero, int novel) {
        WindowStatistics stats = new WindowStatistics(2);
        for (int i = 0; i < n; i++) {
            stats.observe(i < shareOfZero * n ? 0 : 1, i < novel ? 100 : 1, 4.0, TAU);
        }
        return stats;
    }

    /**
     * A monitor started on a bootstrap of 100 records half in each concept, past its in-sample window (the
     * bootstrap records again) and its reference period (another such window): judging from here on.
     */
    private DriftMonitor judging() {
        DriftMonitor monitor = DriftMonitor.start(model, batch(100, 0.5, 0), settings, 0);
        assertTrue(monitor.add(batch(100, 0.5, 0), model, List.of(), 0).orElseThrow().reasons().get(0)
                .startsWith("in-sample"));
        assertTrue(monitor.add(batch(100, 0.5, 0), model, List.of(), 0).orElseThrow().reasons().get(0)
                .startsWith("reference period"));
        return monitor;
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
        DriftMonitor monitor = judging();
        DriftSummary summary = monitor.add(batch(100, 0.0, 0), model, List.of(), 1).orElseThrow();
        // window (0, 1) against reference (½, ½)
        assertEquals(1.5 - 0.75 * Math.log(3) / Math.log(2) + 0.0, summary.jsDivergence(), 1e-9);
        assertEquals(DriftLevel.ALERT, summary.level());
        // the reference moved 5% toward the window
        assertArrayEquals(new double[] {0.475, 0.525}, monitor.referenceMix(), 1e-12);
    }

    @Test
    void noveltyRateAndDisplacementAreMeasuredAgainstTheWindowStart() {
        DriftMonitor monitor = judging();
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
        assertTrue(summary.reasons().get(0).startsWith("novelty 0.2000 > alert"), summary.reasons().toString());
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
        DriftMonitor copy = DriftMonitor.fromState(monitor.toState(), settings);
        DriftSummary a = monitor.add(batch(50, 0.0, 0), model, List.of(), 7).orElseThrow();
        DriftSummary b = copy.add(batch(50, 0.0, 0), model, List.of(), 7).orElseThrow();
        assertEquals(a.jsDivergence(), b.jsDivergence(), 0);
        assertArrayEquals(a.conceptCounts(), b.conceptCounts());
        assertEquals(List.of(0), b.reseeded());
        assertEquals(a.windowStart(), b.windowStart());
        assertEquals(monitor.noveltyThreshold(), copy.noveltyThreshold(), 0);
    }

    @Test
    void thresholdsPickTheWorstMeasureAndSayWhy() {
        DriftThresholds t = new DriftThresholds(0.05, 0.15, 0.03, 0.10, 0.002, 0.004);
        assertEquals(DriftLevel.OK, t.level(0.01, 0.01, 0.001));
        assertEquals(DriftLevel.WARN, t.level(0.06, 0.01, 0.001));
        assertEquals(DriftLevel.WARN, t.level(0.01, 0.05, Double.NaN));
        assertEquals(DriftLevel.ALERT, t.level(0.01, 0.01, 0.005));
        assertEquals(DriftLevel.ALERT, t.level(0.2, 0.01, 0.001));
        assertEquals(List.of("js 0.2000 > alert 0.1500", "mmd 0.003000 > warn 0.002000"), t.reasons(0.2, 0.01, 0.003));
        assertEquals(List.of(), t.reasons(0.01, 0.01, Double.NaN));
    }

    @Test
    void upperQuantileIsTheOrderStatisticOfTheTail() {
        double[] draws = new double[99];
        for (int i = 0; i < draws.length; i++) {
            draws[i] = i + 1;
        }
        // P(draw > 95) = 4/99 ≈ tail 0.05 with B + 1 = 100
        assertEquals(95, DriftThresholds.upperQuantile(draws, 0.05));
        assertEquals(99, DriftThresholds.upperQuantile(draws, 0.001));
        assertTrue(Double.isNaN(DriftThresholds.upperQuantile(new double[0], 0.05)));
    }

    @Test
    void thresholdsComeFromTheReferenceAndTheConfiguredRate() {
        // a reference period of 10,000 records over 2 concepts, 1% of them far out (a model from a snapshot: the
        // first window is the reference period)
        DriftMonitor strict = DriftMonitor.start(model, new WindowStatistics(2), settings.withRates(0.001, 0.01), 0);
        DriftMonitor loose = DriftMonitor.start(model, new WindowStatistics(2), settings.withRates(0.1, 0.2), 0);
        strict.add(batch(10_000, 0.5, 100), model, List.of(), 0);
        loose.add(batch(10_000, 0.5, 100), model, List.of(), 0);
        DriftThresholds s = strict.thresholds().orElseThrow();
        DriftThresholds l = loose.thresholds().orElseThrow();
        assertTrue(s.jsAlert() > l.jsAlert() && l.jsAlert() > 0, s + " vs " + l);
        assertTrue(s.noveltyAlert() > l.noveltyAlert(), s + " vs " + l);
        // windows of 100 at 1% novel: the alert level sits well above 1% (Poisson(1) exceeds 5 with p ≈ 0.0006)
        assertTrue(s.noveltyAlert() >= 0.04 && s.noveltyAlert() <= 0.08, "novelty alert " + s.noveltyAlert());
        // JS of 100 records against 10,000 with p = ½: about χ²₁/(8 ln 2 · 100) at the tail (bits)
        assertTrue(s.jsAlert() > 0.005 && s.jsAlert() < 0.05, "js alert " + s.jsAlert());
        // the reference had no vectors: the MMD is not measured
        assertTrue(Double.isNaN(s.mmdAlert()));
        assertTrue(Double.isNaN(strict.add(batch(100, 0.5, 0), model, List.of(), 1).orElseThrow().mmd()));
        // a restored monitor takes the configured rates
        DriftMonitor restored = DriftMonitor.fromState(strict.toState(), settings.withRates(0.1, 0.2));
        assertEquals(l, restored.thresholds().orElseThrow());
    }

    @Test
    void aMonitorWithoutBootstrapDataCalibratesOnItsFirstWindow() {
        DriftMonitor monitor = DriftMonitor.start(model, new WindowStatistics(2), settings, 0);
        assertTrue(monitor.thresholds().isEmpty());
        DriftSummary first = monitor.add(batch(100, 0.9, 0), model, List.of(), 1).orElseThrow();
        assertEquals(DriftLevel.OK, first.level());
        assertTrue(first.reasons().get(0).startsWith("reference period"), first.reasons().toString());
        assertEquals(null, first.thresholds());
        // the first window is the reference now, not the model's weights (½, ½)
        assertArrayEquals(new double[] {0.9, 0.1}, monitor.referenceMix(), 1e-12);
        assertTrue(monitor.thresholds().isPresent());
        DriftSummary second = monitor.add(batch(100, 0.1, 0), model, List.of(), 2).orElseThrow();
        assertEquals(DriftLevel.ALERT, second.level());
        assertTrue(second.reasons().get(0).startsWith("js "), second.reasons().toString());
    }

    @Test
    void reportsSayWhichConceptsMovedWithTheirNearestCaptions() {
        ConceptModel three = new ConceptModel(
                Centroids.of(new float[][] {{0, 0}, {10, 0}, {0, 10}}, Distance.EUCLIDEAN),
                new double[] {50, 50, 0}, Kernel.GAUSSIAN, TAU, 4.0, 1, 100, 0);
        WindowStatistics reference = new WindowStatistics(3);
        for (int i = 0; i < 100; i++) {
            reference.observe(i % 2, 1, 4.0, TAU);
        }
        DriftMonitor monitor = DriftMonitor.start(three, reference, settings, 0);
        WindowStatistics window = new WindowStatistics(3);
        for (int i = 0; i < 100; i++) {
            int concept = i < 20 ? 2 : i < 70 ? 0 : 1;
            window.observe(concept, 1, 4.0, TAU);
            window.observeSharpness(concept == 2 ? 1.0 : 0.5, concept == 2 ? 0.4 : 0.8);
        }
        monitor.observeCaption(2, 0.5, "flag: France");
        monitor.observeCaption(2, 0.1, "flag: Japan");
        monitor.observeCaption(2, 0.9, "flag: Chile");
        monitor.observeCaption(2, 0.7, "flag: Peru");
        monitor.observeCaption(2, 0.2, "flag: Japan");
        DriftSummary summary = monitor.add(window, three, List.of(), 1).orElseThrow();
        DriftSummary.ConceptShift born = summary.rising().get(0);
        assertEquals(2, born.concept());
        assertEquals(0.2, born.share(), 1e-12);
        assertEquals(0.0, born.referenceShare(), 1e-12);
        // the three nearest captions, nearest first, each once
        assertEquals(List.of("flag: Japan", "flag: France", "flag: Peru"), born.captions());
        assertEquals(List.of(1), summary.falling().stream().map(DriftSummary.ConceptShift::concept).toList());
        assertEquals(0.3, summary.falling().get(0).share(), 1e-12);
        assertEquals(List.of(), summary.falling().get(0).captions());
        assertEquals(0.2 * 1.0 + 0.8 * 0.5, summary.meanEntropy(), 1e-12);
        assertEquals(0.2 * 0.4 + 0.8 * 0.8, summary.meanTopProbability(), 1e-12);
        // the captions were the window's: the next one starts without
        WindowStatistics next = new WindowStatistics(3);
        for (int i = 0; i < 100; i++) {
            next.observe(2, 1, 4.0, TAU);
        }
        assertEquals(List.of(), monitor.add(next, three, List.of(), 2).orElseThrow().rising().get(0).captions());
    }

    @Test
    void mmdComparesTheWindowSampleWithTheReferenceSample() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        WindowStatistics reference = DriftMonitor.referenceStatistics(2);
        for (int i = 0; i < 2_000; i++) {
            reference.observe(0, 1, 4.0, TAU);
            reference.sample(new float[] {(float) random.nextGaussian(), (float) random.nextGaussian()}, i, 1);
        }
        DriftMonitor monitor = DriftMonitor.start(model, reference, new DriftSettings(1_000, 0, 0.05, 0.01, 0.05), 0);
        // the bootstrap records again (in-sample), then the reference period of the count statistics
        for (int w = 0; w < 3; w++) {
            monitor.add(batch(1_000, 1.0, 0), model, List.of(), 0);
        }
        double alert = monitor.thresholds().orElseThrow().mmdAlert();
        assertTrue(alert > 0 && alert < 0.05, "mmd alert " + alert);
        WindowStatistics same = new WindowStatistics(2);
        WindowStatistics shifted = new WindowStatistics(2);
        for (int i = 0; i < 1_000; i++) {
            same.observe(0, 1, 4.0, TAU);
            same.sample(new float[] {(float) random.nextGaussian(), (float) random.nextGaussian()}, i,
                    monitor.sampleRate());
            shifted.observe(0, 1, 4.0, TAU);
            shifted.sample(new float[] {(float) random.nextGaussian() + 1, (float) random.nextGaussian()}, i,
                    monitor.sampleRate());
        }
        DriftSummary a = monitor.add(same, model, List.of(), 1).orElseThrow();
        assertTrue(a.mmd() < alert, "same distribution: mmd " + a.mmd() + " vs alert " + alert);
        DriftSummary b = monitor.add(shifted, model, List.of(), 2).orElseThrow();
        assertTrue(b.mmd() > 2 * alert, "shifted by one σ: mmd " + b.mmd() + " vs alert " + alert);
        assertEquals(DriftLevel.ALERT, b.level());
        assertTrue(b.reasons().stream().anyMatch(r -> r.startsWith("mmd ")), b.reasons().toString());
    }
}
