package dev.kclip.concepts.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnlineKMeansTest {

    /** Two concepts in the plane: (0,0) with weight 4 and (10,0) with weight 2. */
    private static ConceptModel twoConcepts(long lastUpdate) {
        return new ConceptModel(Centroids.of(new float[][] {{0, 0}, {10, 0}}, Distance.EUCLIDEAN),
                new double[] {4, 2}, Kernel.GAUSSIAN, 1.0, 3.0, 7, 100, lastUpdate);
    }

    @Test
    void updateFollowsTheRuleWithForgetting() {
        BatchStatistics batch = new BatchStatistics(2, 2);
        batch.add(0, new float[] {2, 2}, 1_000);
        batch.add(0, new float[] {4, 0}, 1_000);
        // half-life of 2 records, batch of 2: a = 0.5
        OnlineSettings settings = new OnlineSettings(Decay.halfLifeRecords(2), 0, 1);
        OnlineKMeans.Update update = OnlineKMeans.update(twoConcepts(0), batch, settings);

        // c0 ← (c0·n·a + Σx) / (n·a + m) = ((0,0)·4·0.5 + (6,2)) / (2 + 2) = (1.5, 0.5); n0 ← 4
        assertArrayEquals(new float[] {1.5f, 0.5f}, update.model().centroids().mean(0));
        // c1 received nothing: it stays, its weight only decays
        assertArrayEquals(new float[] {10f, 0f}, update.model().centroids().mean(1));
        assertArrayEquals(new double[] {4, 1}, update.model().weights(), 1e-12);
        assertEquals(8, update.model().version());
        assertEquals(102, update.model().recordsSeen());
        assertEquals(1_000, update.model().lastUpdateTime());
        assertEquals(List.of(), update.reseeded());
        // labelling settings carry over
        assertEquals(1.0, update.model().temperature());
        assertEquals(3.0, update.model().noveltyThreshold());
    }

    @Test
    void timeHalfLifeDecaysByElapsedEventTime() {
        BatchStatistics batch = new BatchStatistics(2, 2);
        batch.add(1, new float[] {10, 0}, 7_200_000);
        OnlineSettings settings = new OnlineSettings(Decay.halfLifeTime(Duration.ofHours(1)), 0, 1);
        OnlineKMeans.Update update = OnlineKMeans.update(twoConcepts(0), batch, settings);
        // two hours at a one-hour half-life: a = 0.25
        assertArrayEquals(new double[] {1, 1.5}, update.model().weights(), 1e-12);
    }

    @Test
    void withoutForgettingTheCentroidIsTheRunningMean() {
        BatchStatistics batch = new BatchStatistics(2, 2);
        batch.add(0, new float[] {6, 0}, 0);
        batch.add(0, new float[] {6, 0}, 0);
        OnlineKMeans.Update update = OnlineKMeans.update(twoConcepts(0), batch,
                new OnlineSettings(Decay.none(), 0, 1));
        // four points at (0,0) and two at (6,0): mean (2, 0)
        assertArrayEquals(new float[] {2f, 0f}, update.model().centroids().mean(0));
        assertArrayEquals(new double[] {6, 2}, update.model().weights(), 1e-12);
    }

    @Test
    void dyingClusterIsReseededBySplittingTheLargest() {
        ConceptModel model = new ConceptModel(
                Centroids.of(new float[][] {{0, 0}, {10, 0}, {-10, 0}}, Distance.EUCLIDEAN),
                new double[] {1000, 0.5, 300}, Kernel.GAUSSIAN, 4.0, 3.0, 1, 0, 0);
        BatchStatistics batch = new BatchStatistics(3, 2);
        batch.add(0, new float[] {0, 0}, 0);
        OnlineKMeans.Update update = OnlineKMeans.update(model, batch, new OnlineSettings(Decay.none(), 1e-3, 5));

        assertEquals(List.of(1), update.reseeded());
        double[] w = update.model().weights();
        assertEquals((1001 + 0.5) / 2, w[0], 1e-9);
        assertEquals(w[0], w[1], 1e-12);
        assertEquals(300, w[2], 1e-12);
        // the two halves sit symmetrically around the old centroid (0,0), a small step apart
        float[] a = update.model().centroids().mean(0);
        float[] b = update.model().centroids().mean(1);
        assertEquals(0, a[0] + b[0], 1e-6);
        assertEquals(0, a[1] + b[1], 1e-6);
        double step = Math.hypot(a[0], a[1]);
        assertEquals(1e-2 * Math.sqrt(4.0), step, 1e-6);
        assertArrayEquals(new float[] {-10, 0}, update.model().centroids().mean(2));
    }

    @Test
    void clustersAboveTheRatioAreLeftAlone() {
        ConceptModel model = new ConceptModel(
                Centroids.of(new float[][] {{0, 0}, {10, 0}}, Distance.EUCLIDEAN),
                new double[] {1000, 2}, Kernel.GAUSSIAN, 4.0, 3.0, 1, 0, 0);
        BatchStatistics batch = new BatchStatistics(2, 2);
        batch.add(0, new float[] {0, 0}, 0);
        assertEquals(List.of(), OnlineKMeans.update(model, batch, new OnlineSettings(Decay.none(), 1e-3, 5)).reseeded());
    }

    @Test
    void emptyBatchChangesNothing() {
        ConceptModel model = twoConcepts(0);
        assertSame(model, OnlineKMeans.update(model, new BatchStatistics(2, 2), OnlineSettings.defaults()).model());
    }

    @Test
    void mergedStatisticsGiveTheSameUpdateAsOneBatch() {
        BatchStatistics whole = new BatchStatistics(2, 2);
        BatchStatistics left = new BatchStatistics(2, 2);
        BatchStatistics right = new BatchStatistics(2, 2);
        float[][] xs = {{1, 1}, {9, 1}, {2, -1}, {11, 0}};
        for (int i = 0; i < xs.length; i++) {
            int c = xs[i][0] > 5 ? 1 : 0;
            whole.add(c, xs[i], i);
            (i % 2 == 0 ? left : right).add(c, xs[i], i);
        }
        left.merge(BatchStatistics.fromState(right.toState()));
        OnlineSettings settings = OnlineSettings.defaults();
        assertArrayEquals(OnlineKMeans.update(twoConcepts(0), whole, settings).model().centroids().rowMajor(),
                OnlineKMeans.update(twoConcepts(0), left, settings).model().centroids().rowMajor());
        assertEquals(3, left.maxEventTime());
    }

    @Test
    void decayFactorsFollowTheHalfLife() {
        assertEquals(0.5, Decay.halfLifeRecords(100).factor(100, 0), 1e-12);
        assertEquals(Math.pow(0.5, 0.1), Decay.halfLifeRecords(100).factor(10, 0), 1e-12);
        assertEquals(0.25, Decay.halfLifeTime(Duration.ofMinutes(1)).factor(5, 120_000), 1e-12);
        assertEquals(1.0, Decay.halfLifeTime(Duration.ofMinutes(1)).factor(5, -10), 1e-12);
        assertEquals(1.0, Decay.none().factor(1_000_000, 0));
        assertNotEquals(1.0, Decay.halfLifeRecords(1e9).factor(1, 0));
        assertTrue(Decay.halfLifeRecords(1e9).factor(1, 0) < 1.0);
    }
}
