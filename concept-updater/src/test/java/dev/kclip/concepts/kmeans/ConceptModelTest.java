package dev.kclip.concepts.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kclip.schemas.CentroidSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ConceptModelTest {

    private final ConceptModel model = new ConceptModel(
            Centroids.of(new float[][] {{1, 0, 0}, {0, 2, 0}, {0, 0, -3}}, Distance.COSINE),
            new double[] {5, 6, 7.5}, Kernel.GAUSSIAN, 0.5, 0.8, 12, 345, 6789);

    @Test
    void gaussianSoftLabelIsSoftmaxOfNegativeSquaredDistanceOverTau() {
        float[] x = {3, 4, 0};
        float[] p = model.softLabel(x);
        // cosine geometry: x̂ = (0.6, 0.8, 0); d² = 2 − 2cos = 0.8, 0.4, 2.0
        double[] e = {Math.exp(-0.8 / 0.5), Math.exp(-0.4 / 0.5), Math.exp(-2.0 / 0.5)};
        double sum = e[0] + e[1] + e[2];
        assertArrayEquals(new float[] {(float) (e[0] / sum), (float) (e[1] / sum), (float) (e[2] / sum)}, p, 1e-6f);
        Label label = model.label(x);
        assertEquals(1, label.concept());
        assertEquals(0.4, label.squaredDistance(), 1e-6);
        assertEquals(12, label.version());
    }

    @Test
    void studentTKernelHasDecTails() {
        float[] p = Kernel.STUDENT_T.probabilities(new double[] {0.0, 1.0, 3.0}, 1.0);
        double[] q = {1.0, 0.5, 0.25};
        assertArrayEquals(new float[] {(float) (q[0] / 1.75), (float) (q[1] / 1.75), (float) (q[2] / 1.75)}, p, 1e-7f);
    }

    @Test
    void gaussianStaysFiniteForFarVectors() {
        float[] p = Kernel.GAUSSIAN.probabilities(new double[] {1e6, 1e6 + 1, 2e6}, 1e-3);
        assertEquals(1.0f, p[0], 1e-6f);
        assertEquals(0.0f, p[2], 1e-6f);
    }

    @Test
    void temperatureFromDataIsTheMedian() {
        assertEquals(3.0, Kernel.temperatureFromData(new double[] {9, 1, 3}));
        assertEquals(2.5, Kernel.temperatureFromData(new double[] {4, 1, 2, 3}));
        assertEquals(2.0, Kernel.temperatureFromData(new double[] {0, 0, 0, 8}));
    }

    @Test
    void stateRoundTripExactly() {
        ConceptModel copy = ConceptModel.fromState(model.toState());
        assertArrayEquals(model.centroids().rowMajor(), copy.centroids().rowMajor());
        assertArrayEquals(model.weights(), copy.weights());
        assertEquals(model.distance(), copy.distance());
        assertEquals(model.kernel(), copy.kernel());
        assertEquals(model.temperature(), copy.temperature());
        assertEquals(model.noveltyThreshold(), copy.noveltyThreshold());
        assertEquals(model.version(), copy.version());
        assertEquals(model.recordsSeen(), copy.recordsSeen());
        assertEquals(model.lastUpdateTime(), copy.lastUpdateTime());
    }

    @Test
    void snapshotRoundTripKeepsWhatLabelsDependOn() {
        CentroidSnapshot snapshot = CentroidSnapshots.of(model, "onnx-minilm",
                LongStream.range(0, model.k()).map(c -> 10 + c).boxed().toList(), List.of(2), Instant.ofEpochMilli(99));
        assertEquals("onnx-minilm", snapshot.getTeacherModelId());
        assertEquals(LongStream.range(10, 10 + model.k()).boxed().toList(), snapshot.getConceptIds());
        assertEquals(List.of(2), snapshot.getReseeded());
        ConceptModel copy = CentroidSnapshots.toModel(snapshot);
        assertArrayEquals(model.centroids().rowMajor(), copy.centroids().rowMajor());
        assertEquals(12, copy.version());
        assertEquals(99, copy.lastUpdateTime());
        float[] x = {0.3f, -1f, 2f};
        assertArrayEquals(model.softLabel(x), copy.softLabel(x));
    }

    @Test
    void aFreeRowIsNeverNearestHasProbabilityZeroAndSurvivesStateAndSnapshots() {
        ConceptModel model = new ConceptModel(Centroids.of(new float[][] {{1, 0}, {0, 1}, {-1, 0}}, Distance.COSINE),
                new double[] {5, 0, 7}, Kernel.GAUSSIAN, 0.5, 0.9, 4, 12, 0, new boolean[] {true, false, true});
        float[] nearFree = {0.1f, 1};
        Label label = model.label(nearFree);
        assertEquals(0, label.concept(), "row 1 is free: row 0 is the nearest active one");
        assertEquals(0f, label.probabilities()[1]);
        assertEquals(2, model.activeCount());
        ConceptModel restored = ConceptModel.fromState(model.toState());
        assertArrayEquals(model.active(), restored.active());
        CentroidSnapshot snapshot = CentroidSnapshots.of(model, "t", List.of(3L, CentroidSnapshots.FREE, 8L),
                List.of(), Instant.EPOCH);
        assertArrayEquals(model.active(), CentroidSnapshots.toModel(snapshot).active());
        assertThrows(IllegalArgumentException.class, () -> CentroidSnapshots.of(model, "t", List.of(3L, 4L, 8L),
                List.of(), Instant.EPOCH), "a free row must have id -1");
        assertThrows(IllegalArgumentException.class, () -> new ConceptModel(model.centroids(), new double[3],
                Kernel.GAUSSIAN, 0.5, 0.9, 4, 12, 0, new boolean[3]), "at least one active concept");
    }

    @Test
    void cosineRejectsTheZeroVectorAndWrongDimensions() {
        assertThrows(IllegalArgumentException.class, () -> model.label(new float[3]));
        assertThrows(IllegalArgumentException.class, () -> model.label(new float[] {1, 2}));
    }

    @Test
    void euclideanDistanceIsPlainSquaredDistance() {
        Centroids c = Centroids.of(new float[][] {{1, 1}}, Distance.EUCLIDEAN);
        assertEquals(25.0, c.squaredDistance(new float[] {4, 5}, 0), 1e-9);
        assertArrayEquals(new double[] {5.0}, c.displacement(Centroids.of(new float[][] {{4, 5}}, Distance.EUCLIDEAN)),
                1e-6);
    }
}
