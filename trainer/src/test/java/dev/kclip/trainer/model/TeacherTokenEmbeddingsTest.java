package dev.kclip.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Seeding the token table from a teacher keeps the teacher's geometry. */
class TeacherTokenEmbeddingsTest {

    /** A stand-in teacher with fixed vectors per word. */
    private static final Map<String, float[]> WORDS = Map.of(
            "cat", new float[] {1, 0, 0, 0},
            "dog", new float[] {0.8f, 0.6f, 0, 0},
            "car", new float[] {0, 0, 1, 1});

    private static List<float[]> teacher(List<String> batch) {
        List<float[]> out = new ArrayList<>();
        batch.forEach(w -> out.add(WORDS.getOrDefault(w, new float[] {0, 1, 0, 0})));
        return out;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void rowsAreUnitLengthAndKeepTheTeachersCosines() {
        float[][] table = TeacherTokenEmbeddings.compute(new String[] {"cat", "dog", "car"},
                TeacherTokenEmbeddingsTest::teacher, 4, 7);
        for (float[] row : table) {
            double norm = 0;
            for (float x : row) {
                norm += x * x;
            }
            assertEquals(1.0, Math.sqrt(norm), 1e-5);
        }
        // a full-width orthonormal projection is a rotation: every cosine stays
        assertEquals(cosine(WORDS.get("cat"), WORDS.get("dog")), cosine(table[0], table[1]), 1e-5);
        assertEquals(cosine(WORDS.get("cat"), WORDS.get("car")), cosine(table[0], table[2]), 1e-5);
    }

    @Test
    void theTableIsWrittenIntoTheTokenEmbedding() {
        try (StudentModel model = StudentModel.create(KnowledgeClipTest.small("END"), Device.cpu(), Precision.FP32, 1)) {
            float[][] table = TeacherTokenEmbeddings.compute(new String[] {"cat", "dog"}, TeacherTokenEmbeddingsTest::teacher, 32, 1);
            float[] before = model.parameters().get("text.token_embedding").getArray().toFloatArray();
            TeacherTokenEmbeddings.apply(model, table);
            float[] after = model.parameters().get("text.token_embedding").getArray().toFloatArray();
            float[] row1 = new float[32];
            System.arraycopy(after, 32, row1, 0, 32);
            assertArrayEquals(table[1], row1, 0f);
            float[] untouchedBefore = new float[32];
            float[] untouchedAfter = new float[32];
            System.arraycopy(before, 100 * 32, untouchedBefore, 0, 32);
            System.arraycopy(after, 100 * 32, untouchedAfter, 0, 32);
            assertArrayEquals(untouchedBefore, untouchedAfter, 0f, "rows beyond the table stay");
        }
    }
}
