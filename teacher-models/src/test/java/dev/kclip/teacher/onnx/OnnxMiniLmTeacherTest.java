package dev.kclip.teacher.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.Tokenized;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxMiniLmTeacherTest {

    private static TeacherModel teacher;

    @BeforeAll
    static void load() {
        teacher = TeacherModels.load("onnx-minilm");
    }

    @AfterAll
    static void close() {
        teacher.close();
    }

    @Test
    void embedsUnitVectorsThatPlaceRelatedCaptionsTogether() {
        List<TeacherEmbedding> e = teacher.embed(List.of("red apple", "green apple", "police car", "grinning face"));

        assertEquals(4, e.size());
        for (TeacherEmbedding embedding : e) {
            assertEquals(384, embedding.vector().length);
            assertEquals(1.0, norm(embedding.vector()), 1e-4);
            assertFalse(embedding.truncated());
        }
        assertEquals(4, e.get(0).tokenCount(), "[CLS] red apple [SEP]");
        double apples = dot(e.get(0).vector(), e.get(1).vector());
        assertTrue(apples > dot(e.get(0).vector(), e.get(2).vector()) + 0.2, "apples closer than apple-car: " + apples);
        assertTrue(apples > dot(e.get(0).vector(), e.get(3).vector()) + 0.2, "apples closer than apple-face");
    }

    @Test
    void batchingBarelyChangesAnEmbedding() {
        float[] alone = teacher.embed(List.of("red apple")).get(0).vector();
        float[] padded = teacher.embed(List.of("a much longer caption about a dog on a bicycle", "red apple")).get(1).vector();
        // The int8 model quantises activations dynamically with one scale per tensor, so the other captions of a
        // batch (padded or not) shift the rounding: cosine about 0.99 to the caption embedded alone.
        double cosine = dot(alone, padded);
        assertTrue(cosine > 0.98 && cosine < 1.0 + 1e-6, "cosine " + cosine);
    }

    @Test
    void embeddingTheTokensOfTokenizeGivesEmbedsVectorsBitForBit() {
        List<String> captions = List.of("red apple", "apple ".repeat(400), "   ", "a dog on a bicycle");
        List<Tokenized> tokenized = captions.stream().map(teacher::tokenize).toList();
        for (int i = 0; i < captions.size(); i++) {
            assertEquals(teacher.countTokens(captions.get(i)), tokenized.get(i).tokens(), captions.get(i));
        }
        assertEquals(List.of(2, 254, 0, 5), tokenized.stream().map(Tokenized::contentTokens).toList());
        List<String> embeddable = List.of(captions.get(0), captions.get(1), captions.get(3));
        List<TeacherEmbedding> expected = teacher.embed(embeddable);
        List<TeacherEmbedding> actual = teacher.embedTokens(List.of(tokenized.get(0), tokenized.get(1), tokenized.get(3)));
        for (int i = 0; i < embeddable.size(); i++) {
            assertArrayEquals(expected.get(i).vector(), actual.get(i).vector(), embeddable.get(i));
            assertEquals(expected.get(i).tokenCount(), actual.get(i).tokenCount());
            assertEquals(expected.get(i).truncated(), actual.get(i).truncated());
        }
        assertTrue(actual.get(1).truncated());
    }

    @Test
    void longCaptionsAreTruncatedAndFlagged() {
        TeacherEmbedding e = teacher.embed(List.of("apple ".repeat(400))).get(0);
        assertTrue(e.truncated());
        assertEquals(teacher.maxTokens(), e.tokenCount());
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }
}
