package dev.kclip.teacher.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.service.CaptionEmbedder.Embedded;
import dev.kclip.teacher.service.CaptionEmbedder.Outcome;
import dev.kclip.teacher.service.CaptionEmbedder.Rejected;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionEmbedderTest {

    @Test
    void aCorruptedCheckpointsNanVectorsAreRejectedAndTheRestMatchTheIntactModel(@TempDir Path dir) throws Exception {
        try (TeacherModel damaged = TeacherModels.load("llama2c:" + TestCheckpoints.withNanToken(dir));
                TeacherModel intact = TeacherModels.load("llama2c:" + TestCheckpoints.fixture())) {
            CaptionEmbedder embedder = new CaptionEmbedder(damaged, new EmbeddingCache(1 << 20));
            List<String> captions = List.of("a red apple", "an X-ray of a hand", "two dogs", "XL shirt");
            List<Outcome> outcomes = embedder.embed(captions);
            assertEquals(RejectReason.NAN_EMBEDDING, ((Rejected) outcomes.get(1)).reason());
            assertEquals(RejectReason.NAN_EMBEDDING, ((Rejected) outcomes.get(3)).reason());
            assertTrue(((Rejected) outcomes.get(1)).message().contains("64 of 64"), ((Rejected) outcomes.get(1)).message());
            List<TeacherEmbedding> expected = intact.embed(List.of("a red apple", "two dogs"));
            assertArrayEquals(expected.get(0).vector(), ((Embedded) outcomes.get(0)).embedding().vector(), 1e-6f);
            assertArrayEquals(expected.get(1).vector(), ((Embedded) outcomes.get(2)).embedding().vector(), 1e-6f);
            // a NaN vector is not cached: the same caption is computed (and rejected) again
            assertInstanceOf(Rejected.class, embedder.embed(List.of("XL shirt")).get(0));
            assertEquals(5, embedder.computed());
        }
    }

    @Test
    void repeatedCaptionsAreComputedOnceAndCountAsHits() {
        try (TeacherModel teacher = TeacherModels.load("llama2c:" + TestCheckpoints.fixture())) {
            CaptionEmbedder embedder = new CaptionEmbedder(teacher, new EmbeddingCache(1 << 20));
            List<Outcome> first = embedder.embed(List.of("a cat", "a dog", "a cat", "a cat"));
            assertEquals(2, embedder.computed());
            assertEquals(2, embedder.reused(), "the 2nd and 3rd 'a cat' of the batch");
            assertFalse(((Embedded) first.get(0)).reused());
            assertTrue(((Embedded) first.get(2)).reused());
            assertArrayEquals(((Embedded) first.get(0)).embedding().vector(), ((Embedded) first.get(3)).embedding().vector());
            embedder.embed(List.of("a dog", "a bird"));
            assertEquals(3, embedder.computed());
            assertEquals(3, embedder.reused());
            assertEquals(0.5, embedder.hitRate(), 1e-12);
            assertEquals(0, embedder.admit("a dog").tokens(), "a cached caption costs the model nothing");
            assertEquals(1 + "a fish".length(), embedder.admit("a fish").tokens());
        }
    }

    @Test
    void aLongCaptionGetsAForwardPassOfItsOwnInsteadOfPaddingTheShortOnes() {
        int[] lengths = new int[64];
        Arrays.fill(lengths, 10);
        lengths[17] = 300;
        lengths[40] = 12;
        List<int[]> passes = CaptionEmbedder.passes(lengths, CaptionEmbedder.PASS_OVERHEAD_TOKENS);
        assertEquals(2, passes.size(), "63 short captions, then the long one");
        assertArrayEquals(new int[] {17}, passes.get(1));
        assertEquals(63, passes.get(0).length);
        assertEquals(40, passes.get(0)[62], "sorted by length: the 12-token caption last among the short ones");
        int[] similar = {9, 11, 10, 12};
        assertEquals(1, CaptionEmbedder.passes(similar, CaptionEmbedder.PASS_OVERHEAD_TOKENS).size(),
                "splitting captions of similar lengths saves less than a pass costs");
        int[] all = passes.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(java.util.stream.IntStream.range(0, 64).toArray(), all, "every caption in exactly one pass");
    }

    @Test
    void captionsGroupedByLengthStillGetEachItsOwnVector() {
        try (TeacherModel teacher = TeacherModels.load("llama2c:" + TestCheckpoints.fixture())) {
            CaptionEmbedder embedder = new CaptionEmbedder(teacher, new EmbeddingCache(0));
            List<String> captions = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                captions.add("cat " + i);
            }
            captions.add(5, "a very long caption about a dog ".repeat(12));
            List<CaptionEmbedder.Admission> admitted = captions.stream().map(embedder::admit).toList();
            assertEquals(2, CaptionEmbedder.passes(admitted.stream().mapToInt(CaptionEmbedder.Admission::tokens).toArray(),
                    CaptionEmbedder.PASS_OVERHEAD_TOKENS).size(), "the long caption is a pass of its own");
            List<Outcome> outcomes = embedder.embedAdmitted(admitted);
            for (int i = 0; i < captions.size(); i++) {
                // the llama2c teacher gives a caption the same bits alone as in any batch
                float[] alone = teacher.embed(List.of(captions.get(i))).get(0).vector();
                assertArrayEquals(alone, ((Embedded) outcomes.get(i)).embedding().vector(), captions.get(i));
            }
        }
    }

    @Test
    void captionsWithNoTokensOfTheirOwnAreRejectedOnAdmission() {
        try (TeacherModel teacher = TeacherModels.load("onnx-minilm")) {
            CaptionEmbedder embedder = new CaptionEmbedder(teacher, new EmbeddingCache(0));
            for (String empty : List.of("", "   ", "\t\n")) {
                Rejected r = embedder.admit(empty).rejected();
                assertEquals(RejectReason.EMPTY_AFTER_TOKENIZATION, r.reason(), "'" + empty + "'");
            }
            assertNull(embedder.admit("a dog").rejected());
            assertEquals(4, embedder.admit("a dog").tokens(), "[CLS] a dog [SEP]");
        }
    }

    @Test
    void aCaptionTheTeacherFailsOnAloneIsRejectedAndTheOthersEmbedded() {
        try (TeacherModel real = TeacherModels.load("llama2c:" + TestCheckpoints.fixture())) {
            FailingTeacher teacher = new FailingTeacher(real, false);
            CaptionEmbedder embedder = new CaptionEmbedder(teacher, new EmbeddingCache(0));
            List<Outcome> outcomes = embedder.embed(List.of("a dog", "boom", "a cat"));
            assertInstanceOf(Embedded.class, outcomes.get(0));
            assertEquals(RejectReason.EMBEDDING_FAILED, ((Rejected) outcomes.get(1)).reason());
            assertInstanceOf(Embedded.class, outcomes.get(2));
            assertEquals(List.of(3, 1, 1, 1), teacher.batchSizes, "the batch, then each caption alone");
        }
    }

    @Test
    void aTeacherThatFailsOnEverythingIsATeacherFailureNotDeadLetters() {
        try (TeacherModel real = TeacherModels.load("llama2c:" + TestCheckpoints.fixture())) {
            CaptionEmbedder embedder = new CaptionEmbedder(new FailingTeacher(real, true), new EmbeddingCache(0));
            assertThrows(CaptionEmbedder.TeacherFailure.class, () -> embedder.embed(List.of("a dog", "a cat")));
        }
    }

    /** A real teacher that throws on captions containing "boom", or on everything when broken. */
    private static final class FailingTeacher implements TeacherModel {
        private final TeacherModel real;
        private final boolean broken;
        final List<Integer> batchSizes = new ArrayList<>();

        FailingTeacher(TeacherModel real, boolean broken) {
            this.real = real;
            this.broken = broken;
        }

        @Override
        public List<TeacherEmbedding> embed(List<String> captions) {
            batchSizes.add(captions.size());
            if (broken || captions.stream().anyMatch(c -> c.contains("boom"))) {
                throw new IllegalStateException("device lost");
            }
            return real.embed(captions);
        }

        @Override
        public String modelId() {
            return real.modelId();
        }

        @Override
        public int dimension() {
            return real.dimension();
        }

        @Override
        public int maxTokens() {
            return real.maxTokens();
        }

        @Override
        public int countTokens(String caption) {
            return real.countTokens(caption);
        }

        @Override
        public void close() {
        }
    }
}
