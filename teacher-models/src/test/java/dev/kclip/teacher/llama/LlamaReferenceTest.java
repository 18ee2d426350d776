package dev.kclip.teacher.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kclip.formats.safetensors.SafetensorsWriter.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forward pass against llama2.c's own outputs on a real trained checkpoint (GQA: 8 query heads share 4
 * key/value heads), through both loaders.
 */
class LlamaReferenceTest {

    private static final double TOLERANCE = 1e-4;

    private static JsonNode reference;
    private static long[] greedy;
    private static Llama llama2c;

    @BeforeAll
    static void load() {
        reference = Llama2cFixture.reference();
        greedy = Llama2cFixture.greedyIds(reference);
        llama2c = Llama2cCheckpoint.load(Llama2cFixture.modelFile(), Device.cpu(), DataType.FLOAT32);
    }

    @AfterAll
    static void close() {
        llama2c.close();
    }

    @Test
    void llama2cHeaderIsReadAsGroupedQueryAttentionWithTiedClassifier() {
        LlamaConfig c = llama2c.config();
        assertEquals(List.of(64, 172, 5, 8, 4, 512, 512),
                List.of(c.dim(), c.hiddenDim(), c.nLayers(), c.nHeads(), c.nKvHeads(), c.vocabSize(), c.maxSeqLen()));
        assertTrue(c.tiedOutput());
        assertEquals(RopeLayout.INTERLEAVED, c.ropeLayout());
    }

    @Test
    void llama2cLoaderReproducesHiddenStatesAndLogitsAtAll32Positions() {
        assertMatchesReference(llama2c);
    }

    @Test
    void llama2cLoaderDecodesTheSame200GreedyTokens() {
        assertArrayEquals(greedy, Greedy.decode(llama2c, new long[] {1}, 200));
    }

    @Test
    void huggingFaceLayoutInTwoShardsGivesTheSameNumbers(@TempDir Path dir) throws Exception {
        HuggingFaceConversion.write(dir, HuggingFaceConversion.tensors(), (v, s) -> Tensor.f32(v, s), true);
        try (Llama hf = HuggingFaceLlama.load(dir, Device.cpu(), DataType.FLOAT32)) {
            assertEquals(RopeLayout.HALVES, hf.config().ropeLayout());
            assertTrue(!hf.config().tiedOutput(), "lm_head.weight was written, so the classifier is untied");
            assertMatchesReference(hf);
            assertArrayEquals(greedy, Greedy.decode(hf, new long[] {1}, 200));
        }
    }

    @Test
    void aPaddedBatchGivesEverySequenceItsResultAlone() {
        List<long[]> sequences = List.of(
                Llama2cFixture.prefix(greedy, 7), Llama2cFixture.prefix(greedy, 32),
                Llama2cFixture.prefix(greedy, 1), new long[] {1, 300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310, 311, 312});
        TokenBatch batch = TokenBatch.of(sequences);
        int dim = llama2c.config().dim();
        int vocab = llama2c.config().vocabSize();
        try (NDManager scope = llama2c.newScope()) {
            float[] hidden = llama2c.hiddenStates(scope, batch, 5).toFloatArray();
            float[] logits = llama2c.logits(scope, batch).toFloatArray();
            float[] middle = llama2c.hiddenStates(scope, batch, 2).toFloatArray();
            for (int b = 0; b < sequences.size(); b++) {
                TokenBatch alone = TokenBatch.of(List.of(sequences.get(b)));
                int n = sequences.get(b).length;
                assertEquals(0, maxDiff(hidden, b, batch.length(), llama2c.hiddenStates(scope, alone, 5).toFloatArray(), n, dim),
                        1e-5, "final hidden states of sequence " + b);
                assertEquals(0, maxDiff(logits, b, batch.length(), llama2c.logits(scope, alone).toFloatArray(), n, vocab),
                        1e-5, "logits of sequence " + b);
                assertEquals(0, maxDiff(middle, b, batch.length(), llama2c.hiddenStates(scope, alone, 2).toFloatArray(), n, dim),
                        1e-5, "layer-2 hidden states of sequence " + b);
            }
        }
    }

    /** Largest difference between row {@code b}'s first {@code n} positions in a padded batch and the same alone. */
    private static double maxDiff(float[] batched, int b, int paddedLength, float[] alone, int n, int width) {
        double max = 0;
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < width; i++) {
                max = Math.max(max, Math.abs(batched[(b * paddedLength + t) * width + i] - alone[t * width + i]));
            }
        }
        return max;
    }

    private static void assertMatchesReference(Llama model) {
        TokenBatch first32 = TokenBatch.of(List.of(Llama2cFixture.prefix(greedy, Llama2cFixture.POSITIONS)));
        try (NDManager scope = model.newScope()) {
            float[] hidden = model.hiddenStates(scope, first32, model.config().nLayers()).toFloatArray();
            float[] logits = model.logits(scope, first32).toFloatArray();
            double hiddenError = Llama2cFixture.maxAbsDiff(hidden, Llama2cFixture.perPosition(reference, "final_norm_hidden_first32"));
            double logitError = Llama2cFixture.maxAbsDiff(logits, Llama2cFixture.perPosition(reference, "logits_first32"));
            assertTrue(hiddenError <= TOLERANCE, "hidden states differ from llama2.c by up to " + hiddenError);
            assertTrue(logitError <= TOLERANCE, "logits differ from llama2.c by up to " + logitError);
        }
    }
}
