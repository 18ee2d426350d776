package dev.kclip.concepts.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.Centroids;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.kmeans.Kernel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each life-cycle rule on a few hand-made rows. */
class ConceptLayoutTest {

    private static final int D = 8;
    private static final LifecycleSettings SETTINGS = LifecycleSettings.defaults().withNoveltyBuffer(20)
            .withRetire(0.1, 50);

    private static float[] axis(int j, double wobble) {
        float[] x = new float[D];
        x[j] = 1;
        x[(j + 1) % D] = (float) wobble;
        return x;
    }

    private static ConceptModel model(double[] weights, float[]... rows) {
        return new ConceptModel(Centroids.of(rows, Distance.COSINE), weights, Kernel.GAUSSIAN, 0.1, 0.5, 20, 1000, 0);
    }

    private static ConceptLayout layout(ConceptModel model) {
        int k = model.k();
        long[] ids = new long[k];
        long[] since = new long[k];
        long[] low = new long[k];
        for (int i = 0; i < k; i++) {
            ids[i] = 10 + i;
            low[i] = -1;
        }
        return new ConceptLayout(model, ids, since, low, Collections.nCopies(k, List.of("c")), 10 + k);
    }

    @Test
    void aConceptRetiresOnlyAfterItsWeightStayedLowForTheWindow() {
        ConceptModel model = model(new double[] {100, 100, 1}, axis(0, 0), axis(2, 0), axis(4, 0));
        ConceptLayout layout = layout(model);
        List<ConceptEvent> events = new ArrayList<>();
        layout.retire(SETTINGS, 1000, 21, 5, events);
        layout.retire(SETTINGS, 1049, 22, 6, events);
        assertTrue(events.isEmpty(), "low for 49 records only");
        layout.retire(SETTINGS, 1050, 23, 7, events);
        assertEquals(1, events.size());
        ConceptEvent retired = events.get(0);
        assertEquals(ConceptEvent.Kind.RETIRED, retired.kind());
        assertEquals(12, retired.conceptId());
        assertEquals(2, retired.row());
        assertEquals(23, retired.version());
        assertEquals(CentroidSnapshots.FREE, layout.ids()[2]);
        ConceptModel next = layout.toModel(model);
        assertFalse(next.isActive(2));
        assertEquals(0f, next.softLabel(axis(4, 0))[2], "a free row gets probability 0");
        assertEquals(0, next.label(axis(4, 0)).concept() == 2 ? 1 : 0, "a free row is never the nearest");
    }

    @Test
    void aConceptThatRecoversIsNotRetired() {
        ConceptModel light = model(new double[] {100, 100, 1}, axis(0, 0), axis(2, 0), axis(4, 0));
        ConceptLayout layout = layout(light);
        List<ConceptEvent> events = new ArrayList<>();
        layout.retire(SETTINGS, 1000, 21, 5, events);
        ConceptLayout recovered = new ConceptLayout(model(new double[] {100, 100, 50}, axis(0, 0), axis(2, 0),
                axis(4, 0)), layout.ids(), layout.since(), layout.lowSince(), layout.captions(), layout.nextId());
        recovered.retire(SETTINGS, 1020, 22, 6, events);
        recovered.retire(SETTINGS, 2000, 23, 7, events);
        assertTrue(events.isEmpty());
        assertEquals(-1, recovered.lowSince()[2]);
    }

    @Test
    void nearDuplicatesMergeIntoTheHeavierWhichKeepsItsIdAndTheWeightedMean() {
        ConceptModel model = model(new double[] {30, 10, 50}, axis(0, 0), axis(0, 0.05), axis(4, 0));
        ConceptLayout layout = layout(model);
        List<ConceptEvent> events = new ArrayList<>();
        layout.merge(SETTINGS, 1.0, 5, 1, events);
        assertTrue(events.isEmpty(), "within the grace after the ids were given (since 0, version 5)");
        layout.merge(SETTINGS, 1.0, 10, 1, events);
        assertEquals(1, events.size());
        ConceptEvent merged = events.get(0);
        assertEquals(ConceptEvent.Kind.MERGED, merged.kind());
        assertEquals(11, merged.conceptId());
        assertEquals(10, merged.intoConceptId());
        assertEquals(40, merged.weight(), 1e-9);
        ConceptModel next = layout.toModel(model);
        assertFalse(next.isActive(1));
        assertTrue(next.isActive(0) && next.isActive(2));
        assertEquals(40, next.weights()[0], 1e-9);
        assertEquals(0.05f * 10 / 40, next.centroids().mean(0)[1], 1e-6);
        assertEquals(List.of(10L, CentroidSnapshots.FREE, 12L),
                java.util.Arrays.stream(layout.ids()).boxed().toList());
    }

    @Test
    void distantConceptsDoNotMerge() {
        ConceptModel model = model(new double[] {30, 10}, axis(0, 0), axis(3, 0));
        ConceptLayout layout = layout(model);
        List<ConceptEvent> events = new ArrayList<>();
        layout.merge(SETTINGS, 1.0, 50, 1, events);
        assertTrue(events.isEmpty(), "d² = 2 is far above 0.25 · spread 1");
    }

    private static List<NovelRecord> novel(int n, int axis, double noise, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<NovelRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = axis(axis, 0);
            for (int j = 0; j < D; j++) {
                x[j] += (float) (noise * (random.nextDouble() - 0.5));
            }
            out.add(new NovelRecord(Distance.COSINE.prepare(x), "novel " + i, i, i));
        }
        return out;
    }

    @Test
    void aTightGroupOfNovelRecordsIsBornIntoANewRowWithANewIdAndCaptions() {
        ConceptModel model = model(new double[] {30, 30}, axis(0, 0), axis(2, 0));
        ConceptLayout layout = layout(model);
        List<NovelRecord> buffer = novel(20, 5, 0.05, 1);
        List<ConceptEvent> events = new ArrayList<>();
        assertTrue(layout.birth(buffer, SETTINGS, 0.2, 4, 42, 21, 9, events));
        assertEquals(3, layout.k(), "K grew by one");
        ConceptEvent born = events.get(0);
        assertEquals(ConceptEvent.Kind.BORN, born.kind());
        assertEquals(12, born.conceptId());
        assertEquals(2, born.row());
        assertEquals(21, layout.since()[2]);
        assertEquals(13, layout.nextId());
        assertEquals(3, born.captions().size());
        assertTrue(born.captions().get(0).startsWith("novel "));
        ConceptModel next = layout.toModel(model);
        assertEquals(2, next.label(axis(5, 0.01)).concept());
        assertTrue(buffer.size() < 20, "born records left the buffer");
    }

    @Test
    void aBirthReusesAFreeRowBeforeKGrowsAndStopsAtTheMaximum() {
        ConceptModel model = new ConceptModel(Centroids.of(new float[][] {axis(0, 0), axis(2, 0)}, Distance.COSINE),
                new double[] {30, 0}, Kernel.GAUSSIAN, 0.1, 0.5, 20, 1000, 0, new boolean[] {true, false});
        ConceptLayout layout = layout(model);
        List<ConceptEvent> events = new ArrayList<>();
        assertTrue(layout.birth(novel(20, 5, 0.05, 2), SETTINGS, 0.2, 2, 42, 21, 9, events));
        assertEquals(2, layout.k());
        assertEquals(1, events.get(0).row());
        assertEquals(12, layout.ids()[1]);
        events.clear();
        assertFalse(layout.birth(novel(20, 6, 0.05, 3), SETTINGS, 0.2, 2, 42, 22, 9, events), "no room left");
        assertTrue(events.isEmpty());
    }

    @Test
    void scatteredNovelRecordsAndAShortBufferBearNothing() {
        ConceptModel model = model(new double[] {30, 30}, axis(0, 0), axis(2, 0));
        List<NovelRecord> scattered = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 20; i++) {
            float[] x = new float[D];
            for (int j = 0; j < D; j++) {
                x[j] = (float) (random.nextDouble() - 0.5);
            }
            scattered.add(new NovelRecord(Distance.COSINE.prepare(x), "x", i, i));
        }
        List<ConceptEvent> events = new ArrayList<>();
        assertFalse(layout(model).birth(scattered, SETTINGS, 0.05, 8, 42, 21, 9, events),
                "random directions are not tight");
        assertFalse(layout(model).birth(novel(19, 5, 0.05, 4), SETTINGS, 0.2, 8, 42, 21, 9, events),
                "19 of a buffer of 20");
        assertTrue(events.isEmpty());
        assertEquals(SETTINGS.noveltyBuffer() / 2, scattered.size(), "a fruitless buffer keeps its newest half");
    }
}
