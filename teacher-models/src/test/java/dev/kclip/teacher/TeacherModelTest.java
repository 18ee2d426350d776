package dev.kclip.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TeacherModelTest {

    /** A teacher whose vector of caption "c<i>" is [i, batch number], recording the batch sizes it was given. */
    private static final class CountingTeacher implements TeacherModel {
        final List<Integer> batches = new ArrayList<>();

        @Override
        public List<TeacherEmbedding> embed(List<String> captions) {
            int batch = batches.size();
            batches.add(captions.size());
            return captions.stream().map(c -> new TeacherEmbedding(
                    new float[] {Integer.parseInt(c.substring(1)), batch}, 1, false)).toList();
        }

        @Override
        public String modelId() {
            return "counting";
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public int maxTokens() {
            return 8;
        }

        @Override
        public int countTokens(String caption) {
            return 1;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void vectorsEmbedsEveryCaptionInOrderInBatchesOfTheOfflineSize() {
        CountingTeacher teacher = new CountingTeacher();
        int n = 2 * TeacherModel.OFFLINE_BATCH + 5;
        List<float[]> vectors = teacher.vectors(IntStream.range(0, n).mapToObj(i -> "c" + i).toList());

        assertEquals(List.of(TeacherModel.OFFLINE_BATCH, TeacherModel.OFFLINE_BATCH, 5), teacher.batches);
        assertEquals(n, vectors.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, vectors.get(i)[0], "caption order kept");
            assertEquals(i / TeacherModel.OFFLINE_BATCH, vectors.get(i)[1], "caption " + i + "'s batch");
        }
        assertEquals(List.of(), new CountingTeacher().vectors(List.of()));
    }
}
