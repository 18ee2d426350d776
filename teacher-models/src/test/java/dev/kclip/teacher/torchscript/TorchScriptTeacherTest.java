package dev.kclip.teacher.torchscript;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.TeacherOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code torchscript:FILE} on a TorchScript archive written by {@link TorchScriptArchive} (no Python here to run
 * torch.jit.save), compiled and run by libtorch through DJL like any exported encoder.
 */
class TorchScriptTeacherTest {

    private static final int VOCAB = 8;
    private static final int DIM = 3;
    /** [CLS]=1 red=3 apple=4 [SEP]=2 */
    private static final long[] RED_APPLE = {1, 3, 4, 2};

    @Test
    void tokenStatesAreMeanPooledOverTheRealTokensOfAPaddedBatch(@TempDir Path dir) throws Exception {
        float[] weight = weight();
        Path file = writeModel(dir, weight, TorchScriptArchive.TOKEN_STATES);
        try (TeacherModel teacher = TeacherModels.load("torchscript:" + file)) {
            assertEquals("torchscript:encoder.pt", teacher.modelId());
            assertEquals(DIM, teacher.dimension());
            List<TeacherEmbedding> e = teacher.embed(List.of("red apple", "apple"));
            assertArrayEquals(mean(weight, RED_APPLE), e.get(0).vector(), 1e-6f);
            assertArrayEquals(mean(weight, new long[] {1, 4, 2}), e.get(1).vector(), 1e-6f, "padding is not averaged in");
            assertEquals(4, e.get(0).tokenCount());
            assertEquals(3, e.get(1).tokenCount());
            assertEquals(2, teacher.contentTokens("red apple"));
            assertEquals(0, teacher.contentTokens(""));
        }
    }

    @Test
    void pooledOutputIsUsedAsIsAndCanBeNormalised(@TempDir Path dir) throws Exception {
        float[] weight = weight();
        Path file = writeModel(dir, weight, TorchScriptArchive.POOLED);
        try (TeacherModel teacher = TeacherModels.load("torchscript:" + file, TeacherOptions.defaults().withL2Normalize(true))) {
            float[] expected = mean(weight, RED_APPLE);
            double norm = Math.sqrt(expected[0] * expected[0] + expected[1] * expected[1] + expected[2] * expected[2]);
            for (int i = 0; i < DIM; i++) {
                expected[i] /= (float) norm;
            }
            assertArrayEquals(expected, teacher.embed(List.of("red apple")).get(0).vector(), 1e-6f);
            assertEquals("torchscript:encoder.pt#l2", teacher.modelId());
        }
    }

    @Test
    void captionsAreCutToTheTokenizersMaxLength(@TempDir Path dir) throws Exception {
        float[] weight = weight();
        Path file = writeModel(dir, weight, TorchScriptArchive.TOKEN_STATES);
        try (TeacherModel teacher = TeacherModels.load("torchscript:" + file)) {
            TeacherEmbedding e = teacher.embed(List.of("red apple red apple red")).get(0);
            assertTrue(e.truncated());
            assertEquals(6, e.tokenCount());
            assertArrayEquals(mean(weight, new long[] {1, 3, 4, 3, 4, 3}), e.vector(), 1e-6f);
            assertFalse(teacher.embed(List.of("red")).get(0).truncated());
        }
    }

    @Test
    void aModelThatBreaksTheContractIsRejectedAtLoad(@TempDir Path dir) throws Exception {
        Path file = writeModel(dir, weight(), """
                return torch.sum(torch.embedding(self.weight, input_ids))
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TeacherModels.load("torchscript:" + file));
        assertTrue(e.getMessage().contains("contract"), e.getMessage());
    }

    @Test
    void aMissingTokenizerIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("encoder.pt");
        TorchScriptArchive.write(file, weight(), VOCAB, DIM, TorchScriptArchive.TOKEN_STATES);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TeacherModels.load("torchscript:" + file));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }

    private static float[] weight() {
        float[] w = new float[VOCAB * DIM];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.cos(i * 1.7) * (1 + i % 5);
        }
        return w;
    }

    private static float[] mean(float[] weight, long[] ids) {
        float[] m = new float[DIM];
        for (long id : ids) {
            for (int d = 0; d < DIM; d++) {
                m[d] += weight[(int) id * DIM + d] / ids.length;
            }
        }
        return m;
    }

    private static Path writeModel(Path dir, float[] weight, String body) throws Exception {
        Path file = dir.resolve("encoder.pt");
        TorchScriptArchive.write(file, weight, VOCAB, DIM, body);
        Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER);
        return file;
    }

    /** BERT-style: [CLS] caption [SEP], cut to 6 tokens. */
    private static final String TOKENIZER = """
            {"version": "1.0",
             "truncation": {"direction": "Right", "max_length": 6, "strategy": "LongestFirst", "stride": 0},
             "padding": null,
             "added_tokens": [
               {"id": 0, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
               {"id": 1, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
               {"id": 2, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
             "normalizer": null,
             "pre_tokenizer": {"type": "Whitespace"},
             "post_processor": {"type": "TemplateProcessing",
               "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                          {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
               "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                        {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                        {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
               "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [1], "tokens": ["[CLS]"]},
                                  "[SEP]": {"id": "[SEP]", "ids": [2], "tokens": ["[SEP]"]}}},
             "decoder": null,
             "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "red": 3, "apple": 4},
                       "unk_token": "[UNK]"}}
            """;
}
