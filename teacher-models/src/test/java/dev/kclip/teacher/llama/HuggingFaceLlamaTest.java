package dev.kclip.teacher.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.kclip.teacher.TeacherOptions;
import dev.kclip.formats.safetensors.SafetensorsWriter;
import dev.kclip.formats.safetensors.StoredType;
import dev.kclip.formats.safetensors.SafetensorsWriter.Tensor;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Hugging Face loader beyond float32 shards: half-precision files, tied weights, tokenizer.json, bad input. */
class HuggingFaceLlamaTest {

    private static NDManager manager;
    private static TokenBatch prompt;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        prompt = TokenBatch.of(List.of(Llama2cFixture.prefix(Llama2cFixture.greedyIds(Llama2cFixture.reference()), 20)));
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void bfloat16WeightsDecodeToExactlyTheirFloat32Values(@TempDir Path dir) throws Exception {
        Map<String, HuggingFaceConversion.Named> tensors = HuggingFaceConversion.tensors();
        Path bf16 = Files.createDirectory(dir.resolve("bf16"));
        Path rounded = Files.createDirectory(dir.resolve("rounded"));
        HuggingFaceConversion.write(bf16, tensors, Tensor::bf16, true);
        HuggingFaceConversion.write(rounded, map(tensors, v -> {
            float[] r = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                r[i] = Float.intBitsToFloat(SafetensorsWriter.roundToBfloat16Bits(v[i]));
            }
            return r;
        }), Tensor::f32, true);
        assertSameHiddenStates(bf16, rounded);
    }

    @Test
    void float16WeightsDecodeToExactlyTheirFloat32Values(@TempDir Path dir) throws Exception {
        Map<String, HuggingFaceConversion.Named> tensors = HuggingFaceConversion.tensors();
        Path f16 = Files.createDirectory(dir.resolve("f16"));
        Path rounded = Files.createDirectory(dir.resolve("rounded"));
        HuggingFaceConversion.write(f16, tensors, (v, shape) -> {
            ByteBuffer half = manager.create(v).toType(DataType.FLOAT16, false).toByteBuffer();
            byte[] bytes = new byte[half.remaining()];
            half.get(bytes);
            return new Tensor(StoredType.F16, shape, bytes);
        }, false);
        HuggingFaceConversion.write(rounded, map(tensors,
                v -> manager.create(v).toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).toFloatArray()),
                Tensor::f32, false);
        assertSameHiddenStates(f16, rounded);
    }

    @Test
    void aSingleFileWithTiedEmbeddingsNeedsNoLmHead(@TempDir Path dir) throws Exception {
        Map<String, HuggingFaceConversion.Named> tensors = HuggingFaceConversion.tensors();
        tensors.remove("lm_head.weight");
        HuggingFaceConversion.write(dir, tensors, Tensor::f32, false);
        try (Llama tied = HuggingFaceLlama.load(dir, Device.cpu(), DataType.FLOAT32);
                Llama reference = Llama2cCheckpoint.load(Llama2cFixture.modelFile(), Device.cpu(), DataType.FLOAT32);
                NDManager a = tied.newScope(); NDManager b = reference.newScope()) {
            assertTrue(tied.config().tiedOutput());
            assertEquals(0, Llama2cFixture.maxAbsDiff(tied.logits(a, prompt).toFloatArray(),
                    reference.logits(b, prompt).toFloatArray()), 1e-4);
        }
    }

    @Test
    void aMissingTensorIsNamed(@TempDir Path dir) throws Exception {
        Map<String, HuggingFaceConversion.Named> tensors = HuggingFaceConversion.tensors();
        tensors.remove("model.layers.3.mlp.up_proj.weight");
        HuggingFaceConversion.write(dir, tensors, Tensor::f32, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HuggingFaceLlama.load(dir, Device.cpu(), DataType.FLOAT32));
        assertTrue(e.getMessage().contains("model.layers.3.mlp.up_proj.weight"), e.getMessage());
    }

    @Test
    void aWrongShapeIsNamed(@TempDir Path dir) throws Exception {
        Map<String, HuggingFaceConversion.Named> tensors = HuggingFaceConversion.tensors();
        tensors.put("model.layers.1.self_attn.k_proj.weight", new HuggingFaceConversion.Named(new long[] {64, 64}, new float[64 * 64]));
        HuggingFaceConversion.write(dir, tensors, Tensor::f32, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HuggingFaceLlama.load(dir, Device.cpu(), DataType.FLOAT32));
        assertTrue(e.getMessage().contains("layer 1 wk") && e.getMessage().contains("(32, 64)"), e.getMessage());
    }

    @Test
    void tokenizerJsonGetsExactlyOneBosEvenWhenItsPostProcessorAddsOne(@TempDir Path dir) throws Exception {
        HuggingFaceConversion.write(dir, HuggingFaceConversion.tensors(), Tensor::f32, true);
        Files.writeString(dir.resolve("tokenizer.json"), WORD_LEVEL_TOKENIZER);
        try (LlamaTeacher teacher = LlamaTeacher.loadHuggingFace(dir, TeacherOptions.defaults())) {
            assertArrayEquals(new long[] {1, 300, 301, 302}, teacher.tokenizer().encode("a red apple"));
            assertArrayEquals(new long[] {1, 300, 0}, teacher.tokenizer().encode("a pear"), "unknown words map to <unk>");
            assertEquals(0, teacher.contentTokens(""));
            assertEquals("llama:" + dir.getFileName() + "#mean,no-bos", teacher.modelId());
            float[] viaText = teacher.embed(List.of("a red apple")).get(0).vector();
            float[] viaIds = teacher.embedIds(List.of(new long[] {1, 300, 301, 302})).get(0).vector();
            assertArrayEquals(viaIds, viaText);
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"add_bos_token\": true, \"add_eos_token\": true}");
        try (LlamaTeacher teacher = LlamaTeacher.loadHuggingFace(dir, TeacherOptions.defaults())) {
            assertArrayEquals(new long[] {1, 300, 301, 302, 2}, teacher.tokenizer().encode("a red apple"));
            assertEquals(3, teacher.contentTokens("a red apple"));
        }
    }

    private static void assertSameHiddenStates(Path halfDir, Path float32Dir) {
        try (Llama half = HuggingFaceLlama.load(halfDir, Device.cpu(), DataType.FLOAT32);
                Llama full = HuggingFaceLlama.load(float32Dir, Device.cpu(), DataType.FLOAT32);
                NDManager a = half.newScope(); NDManager b = full.newScope()) {
            float[] expected = full.hiddenStates(b, prompt, 5).toFloatArray();
            assertEquals(0, Llama2cFixture.maxAbsDiff(half.hiddenStates(a, prompt, 5).toFloatArray(), expected), 1e-6);
            // and the rounding mattered: the half-precision model is not the original
            try (Llama original = Llama2cCheckpoint.load(Llama2cFixture.modelFile(), Device.cpu(), DataType.FLOAT32);
                    NDManager c = original.newScope()) {
                assertTrue(Llama2cFixture.maxAbsDiff(original.hiddenStates(c, prompt, 5).toFloatArray(), expected) > 1e-4);
            }
        }
    }

    private static Map<String, HuggingFaceConversion.Named> map(Map<String, HuggingFaceConversion.Named> tensors,
            UnaryOperator<float[]> f) {
        Map<String, HuggingFaceConversion.Named> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> out.put(name, new HuggingFaceConversion.Named(t.shape(), f.apply(t.values()))));
        return out;
    }

    /** A word-level tokenizer in Llama's id convention (<unk>=0, <s>=1, </s>=2) whose post-processor adds <s>. */
    private static final String WORD_LEVEL_TOKENIZER = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [
               {"id": 0, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
               {"id": 1, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
               {"id": 2, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
             "normalizer": null,
             "pre_tokenizer": {"type": "Whitespace"},
             "post_processor": {"type": "TemplateProcessing",
               "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
               "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                        {"Sequence": {"id": "B", "type_id": 1}}],
               "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
             "decoder": null,
             "model": {"type": "WordLevel", "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "a": 300, "red": 301, "apple": 302},
                       "unk_token": "<unk>"}}
            """;
}
