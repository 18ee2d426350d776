package dev.kclip.teacher.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kclip.teacher.Pooling;
import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.TeacherOptions;
import dev.kclip.teacher.Tokenized;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The llama2c fixture as a teacher: pooling checked against llama2.c's own hidden states. */
class LlamaTeacherTest {

    private static final String SPEC = "llama2c:" + Llama2cFixture.modelFile();
    private static JsonNode reference;
    private static long[] first32;
    private static LlamaTeacher teacher;

    @BeforeAll
    static void load() {
        reference = Llama2cFixture.reference();
        first32 = Llama2cFixture.prefix(Llama2cFixture.greedyIds(reference), 32);
        teacher = (LlamaTeacher) TeacherModels.load(SPEC);
    }

    @AfterAll
    static void close() {
        teacher.close();
    }

    @Test
    void meanPoolingAveragesLlama2csFinalHiddenStatesOverThePositionsAfterBos() {
        assertEquals(1, first32[0], "the sequence starts with BOS");
        float[] hidden = Llama2cFixture.perPosition(reference, "final_norm_hidden_first32");
        float[] mean = new float[64];
        float[] meanWithBos = new float[64];
        for (int p = 0; p < 32; p++) {
            for (int i = 0; i < 64; i++) {
                meanWithBos[i] += hidden[p * 64 + i] / 32;
                if (p > 0) {
                    mean[i] += hidden[p * 64 + i] / 31;
                }
            }
        }
        TeacherEmbedding e = teacher.embedIds(List.of(first32)).get(0);
        assertEquals(0, Llama2cFixture.maxAbsDiff(mean, e.vector()), 1e-4);
        assertTrue(Llama2cFixture.maxAbsDiff(meanWithBos, e.vector()) > 1e-2, "BOS is not in the mean");
        assertEquals(32, e.tokenCount(), "BOS still counts as a token the teacher saw");
        assertFalse(e.truncated());
        assertEquals("llama2c:model.bin#mean,no-bos", teacher.modelId(), "a new id: these means leave BOS out");
        assertEquals(64, teacher.dimension());
    }

    @Test
    void aSequenceOfBosAloneIsItsOwnMean() {
        float[] bosState = Arrays.copyOf(Llama2cFixture.perPosition(reference, "final_norm_hidden_first32"), 64);
        assertEquals(0, Llama2cFixture.maxAbsDiff(bosState, teacher.embedIds(List.of(new long[] {1})).get(0).vector()),
                1e-4);
    }

    @Test
    void lastTokenPoolingWithL2IsLlama2csLastHiddenStateNormalised() {
        try (LlamaTeacher last = (LlamaTeacher) TeacherModels.load(SPEC,
                TeacherOptions.defaults().withPooling(Pooling.LAST).withL2Normalize(true))) {
            float[] expected = Arrays.copyOfRange(
                    Llama2cFixture.perPosition(reference, "final_norm_hidden_first32"), 31 * 64, 32 * 64);
            double norm = 0;
            for (float v : expected) {
                norm += v * v;
            }
            for (int i = 0; i < 64; i++) {
                expected[i] /= (float) Math.sqrt(norm);
            }
            assertEquals(0, Llama2cFixture.maxAbsDiff(expected, last.embedIds(List.of(first32)).get(0).vector()), 1e-5);
            assertEquals("llama2c:model.bin#last,l2", last.modelId());
        }
    }

    @Test
    void hiddenLayerZeroIsTheMeanOfTheTokenEmbeddingRows() {
        float[] weights = Llama2cFixture.weights();
        long[] ids = {1, 72, 300, 5};
        float[] expected = new float[64];
        for (long id : Arrays.copyOfRange(ids, 1, ids.length)) { // BOS left out
            for (int i = 0; i < 64; i++) {
                expected[i] += weights[(int) id * 64 + i] / (ids.length - 1);
            }
        }
        try (LlamaTeacher layer0 = (LlamaTeacher) TeacherModels.load(SPEC, TeacherOptions.defaults().withHiddenLayer(0))) {
            assertEquals(0, Llama2cFixture.maxAbsDiff(expected, layer0.embedIds(List.of(ids)).get(0).vector()), 1e-6);
            assertEquals("llama2c:model.bin#mean,no-bos,layer=0", layer0.modelId());
        }
        try (LlamaTeacher last = (LlamaTeacher) TeacherModels.load(SPEC, TeacherOptions.defaults().withHiddenLayer(5))) {
            assertArrayEquals(teacher.embedIds(List.of(ids)).get(0).vector(), last.embedIds(List.of(ids)).get(0).vector(),
                    "layer 5 of 5 is the last hidden state, like -1");
        }
        assertThrows(IllegalArgumentException.class,
                () -> TeacherModels.load(SPEC, TeacherOptions.defaults().withHiddenLayer(6)));
    }

    @Test
    void withoutTokenizerJsonCaptionsBecomeBosAndUtf8ByteTokens() {
        assertArrayEquals(new long[] {1, 3 + 'H', 3 + 'i', 3 + 0xC3, 3 + 0xA9}, teacher.tokenizer().encode("Hié"));
        assertArrayEquals(teacher.embedIds(List.of(new long[] {1, 3 + 'H', 3 + 'i'})).get(0).vector(),
                teacher.embed(List.of("Hi")).get(0).vector());
        assertEquals(0, teacher.contentTokens(""));
        assertEquals(3, teacher.countTokens("ab"));
    }

    @Test
    void captionsLongerThanTheContextAreCutAndFlagged() {
        List<TeacherEmbedding> e = teacher.embed(List.of("x".repeat(600), "short"));
        assertTrue(e.get(0).truncated());
        assertEquals(512, e.get(0).tokenCount());
        assertFalse(e.get(1).truncated());
        assertEquals(6, e.get(1).tokenCount());
        assertEquals(512, teacher.countTokens("x".repeat(600)));
    }

    @Test
    void embeddingTheTokensOfTokenizeGivesEmbedsVectorsBitForBit() {
        List<String> captions = List.of("a red apple", "x".repeat(600), "two dogs on a beach");
        List<Tokenized> tokenized = captions.stream().map(teacher::tokenize).toList();
        assertEquals(List.of(12, 512, 20), tokenized.stream().map(Tokenized::tokens).toList());
        assertEquals(List.of(11, 600, 19), tokenized.stream().map(Tokenized::contentTokens).toList());
        assertEquals(List.of(false, true, false), tokenized.stream().map(Tokenized::truncated).toList());
        List<TeacherEmbedding> expected = teacher.embed(captions);
        List<TeacherEmbedding> actual = teacher.embedTokens(tokenized);
        for (int i = 0; i < captions.size(); i++) {
            assertArrayEquals(expected.get(i).vector(), actual.get(i).vector(), captions.get(i));
            assertEquals(expected.get(i).tokenCount(), actual.get(i).tokenCount());
            assertEquals(expected.get(i).truncated(), actual.get(i).truncated());
        }
    }

    @Test
    void aBatchGivesEachCaptionExactlyItsEmbeddingAlone() {
        List<String> captions = List.of("a red apple", "a dog riding a bicycle down a long hill", "x", "two cats");
        List<TeacherEmbedding> batch = teacher.embed(captions);
        for (int i = 0; i < captions.size(); i++) {
            assertArrayEquals(teacher.embed(List.of(captions.get(i))).get(0).vector(), batch.get(i).vector(), 1e-5f,
                    "caption " + i);
        }
    }

    /**
     * On a machine with a CUDA GPU (and the -Pgpu build) the teacher runs in float16 there and stays close to the
     * float32 CPU result; without one, asking for a GPU is a clear error rather than PyTorch's dispatcher dump.
     */
    @Test
    void onAGpuTheTeacherRunsInFloat16CloseToFloat32ElseAskingForOneIsAClearError() {
        TeacherOptions gpu = TeacherOptions.defaults().withDevice(Device.gpu());
        if (Engine.getEngine("PyTorch").getGpuCount() == 0) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TeacherModels.load(SPEC, gpu));
            assertTrue(e.getMessage().contains("not available"), e.getMessage());
            return;
        }
        try (LlamaTeacher onGpu = (LlamaTeacher) TeacherModels.load(SPEC, gpu)) {
            assertEquals(DataType.FLOAT16, onGpu.model().dataType());
            float[] half = onGpu.embedIds(List.of(first32)).get(0).vector();
            float[] full = teacher.embedIds(List.of(first32)).get(0).vector();
            double dot = 0;
            double a = 0;
            double b = 0;
            for (int i = 0; i < full.length; i++) {
                dot += half[i] * full[i];
                a += half[i] * half[i];
                b += full[i] * full[i];
            }
            assertTrue(dot / Math.sqrt(a * b) > 0.999, "cosine " + dot / Math.sqrt(a * b));
        }
    }

    @Test
    void idsOutsideTheVocabularyAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> teacher.embedIds(List.of(new long[] {1, 512})));
        assertTrue(e.getMessage().contains("512"), e.getMessage());
    }

    @Test
    void unknownSpecsAndMissingFilesGetClearErrors() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> TeacherModels.load("gpt-9"));
        assertTrue(unknown.getMessage().contains("llama2c:FILE"), unknown.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> TeacherModels.load("llama2c:/no/such/model.bin"));
        assertTrue(missing.getMessage().contains("/no/such/model.bin"), missing.getMessage());
        IllegalArgumentException minilm = assertThrows(IllegalArgumentException.class,
                () -> TeacherModels.load("onnx-minilm", TeacherOptions.defaults().withPooling(Pooling.LAST)));
        assertTrue(minilm.getMessage().contains("llama"), minilm.getMessage());
    }
}
