package dev.kclip.concepts.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The batch kernel against the per-record reference: distances, labels, ties, odd shapes. */
class BatchKernelTest {

    @Test
    void testsRunTheVectorKernel() {
        // surefire passes --add-modules jdk.incubator.vector: the comparisons below are against the real kernel
        assertTrue(BatchKernel.best() instanceof VectorKernel, BatchKernel.best().name());
    }

    @Test
    void batchDistancesEqualPerRecordDistances() {
        // odd D (a lane tail), K not a multiple of the 4-centroid block, m not a multiple of the 4-row block
        for (Distance distance : Distance.values()) {
            for (int[] shape : new int[][] {{4096, 64, 256}, {387, 7, 13}, {5, 1, 1}, {16, 4, 4}, {3, 2, 9}}) {
                int dim = shape[0];
                int k = shape[1];
                int m = shape[2];
                Centroids centroids = Centroids.of(random(k, dim, 1), distance);
                List<float[]> rows = prepared(random(m, dim, 2), distance);
                double[] batch = new double[m * k];
                centroids.squaredDistances(rows, batch);
                double[] reference = new double[m * k];
                centroids.squaredDistances(rows, reference, new ScalarKernel());
                double[] single = new double[k];
                for (int r = 0; r < m; r++) {
                    centroids.squaredDistances(rows.get(r), single);
                    for (int c = 0; c < k; c++) {
                        assertEquals(single[c], reference[r * k + c], 0, "scalar kernel = per-record loop");
                        // float sums of D products: relative error ~1e-6 of ‖x‖² + ‖c‖²
                        double scale = 1 + VectorMath.dot(rows.get(r), 0, rows.get(r), 0, dim);
                        assertEquals(single[c], batch[r * k + c], 1e-5 * scale + 1e-5 * single[c],
                                distance + " D=" + dim + " K=" + k + " m=" + m + " row " + r + " centroid " + c);
                    }
                }
            }
        }
    }

    @Test
    void aVectorsDistancesDoNotDependOnTheBatchAroundIt() {
        Centroids centroids = Centroids.of(random(9, 300, 3), Distance.COSINE);
        List<float[]> rows = prepared(random(11, 300, 4), Distance.COSINE);
        double[] all = new double[11 * 9];
        centroids.squaredDistances(rows, all);
        for (int r = 0; r < rows.size(); r++) {
            double[] one = new double[9];
            centroids.squaredDistances(List.of(rows.get(r)), one);
            for (int c = 0; c < 9; c++) {
                assertEquals(all[r * 9 + c], one[c], 1e-12, "row " + r);
            }
        }
    }

    @Test
    void batchLabelsEqualPerRecordLabels() {
        ConceptModel model = new ConceptModel(Centroids.of(random(64, 512, 5), Distance.COSINE), ones(64),
                Kernel.GAUSSIAN, 0.05, 1, 3, 0, 0);
        // vectors near centroids, so the nearest is clear and the soft labels are peaked
        float[][] raw = new float[100][];
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < raw.length; i++) {
            float[] c = model.centroids().mean(random.nextInt(64));
            raw[i] = new float[c.length];
            for (int j = 0; j < c.length; j++) {
                raw[i][j] = c[j] + (float) (0.3 * (random.nextDouble() - 0.5));
            }
        }
        List<float[]> rows = prepared(raw, Distance.COSINE);
        List<Label> batch = model.labelPrepared(rows);
        assertEquals(rows.size(), batch.size());
        for (int r = 0; r < rows.size(); r++) {
            Label single = model.labelPrepared(rows.get(r));
            assertEquals(single.concept(), batch.get(r).concept());
            assertEquals(single.squaredDistance(), batch.get(r).squaredDistance(), 1e-5);
            assertArrayEquals(single.probabilities(), batch.get(r).probabilities(), 1e-4f);
            assertEquals(3, batch.get(r).version());
        }
    }

    @Test
    void tiesGoToTheLowestIndexAndOneCentroidTakesAll() {
        // centroids 1 and 3 are the same point: a vector at it is nearest to 1
        float[][] rows = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 1, 0}};
        ConceptModel model = new ConceptModel(Centroids.of(rows, Distance.EUCLIDEAN), ones(4), Kernel.GAUSSIAN,
                1, 1, 1, 0, 0);
        List<Label> labels = model.labelPrepared(List.of(new float[] {0, 1, 0}, new float[] {0.5f, 0.5f, 0}));
        assertEquals(1, labels.get(0).concept());
        assertEquals(0, labels.get(0).squaredDistance(), 1e-7);
        assertEquals(labels.get(0).probabilities()[1], labels.get(0).probabilities()[3], 1e-7f);
        // equidistant from centroids 0, 1 and 3
        assertEquals(0, labels.get(1).concept());

        ConceptModel single = new ConceptModel(Centroids.of(new float[][] {{2, 0}}, Distance.EUCLIDEAN), ones(1),
                Kernel.STUDENT_T, 1, 1, 1, 0, 0);
        List<Label> one = single.labelPrepared(List.of(new float[] {0, 1}));
        assertEquals(0, one.get(0).concept());
        assertEquals(5, one.get(0).squaredDistance(), 1e-6);
        assertArrayEquals(new float[] {1f}, one.get(0).probabilities());
        assertEquals(List.of(), single.labelPrepared(List.of()));
    }

    private static float[][] random(int n, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] rows = new float[n][dim];
        for (float[] row : rows) {
            for (int j = 0; j < dim; j++) {
                row[j] = (float) (random.nextDouble() * 2 - 1);
            }
        }
        return rows;
    }

    private static List<float[]> prepared(float[][] raw, Distance distance) {
        List<float[]> out = new ArrayList<>();
        for (float[] x : raw) {
            out.add(distance.prepare(x));
        }
        return out;
    }

    private static double[] ones(int k) {
        double[] w = new double[k];
        java.util.Arrays.fill(w, 1);
        return w;
    }
}
