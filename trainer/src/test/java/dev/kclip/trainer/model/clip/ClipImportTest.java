package dev.kclip.trainer.model.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.formats.safetensors.SafetensorsFile;
import dev.kclip.formats.safetensors.SafetensorsWriter;
import dev.kclip.trainer.data.StudentTokenizer;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.loop.StepReport;
import dev.kclip.trainer.loop.TrainingSession;
import dev.kclip.trainer.loop.TrainingSessionTest;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import dev.kclip.trainer.model.StudentModel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A student started from the reference CLIP of {@code clip-fixture/} (made by its {@code make_fixture.py}, an
 * independent PyTorch CLIPModel forward) is that CLIP: same image and text features from every layout.
 */
class ClipImportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** float32 weights: only the order of float32 operations differs from the float64 reference. */
    private static final double FP32_TOLERANCE = 1e-4;
    /**
     * float16 weights against the float32 reference: rounding the weights alone moves these features by up to
     * 2.6e-3 (features of magnitude up to 2.2; measured with the fixture's script), so 1e-2 leaves a margin of 4.
     */
    private static final double FP16_TOLERANCE = 1e-2;
    /** bfloat16 weights (8-bit mantissa): rounding them moves the features by up to 1.7e-2; 5e-2 leaves 3×. */
    private static final double BF16_TOLERANCE = 5e-2;

    static Path fixture(String name) {
        try {
            return Path.of(ClipImportTest.class.getResource("/clip-fixture/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode reference() throws IOException {
        return JSON.readTree(fixture("reference.json").toFile());
    }

    /** The heads CLIP has not: a teacher of 8 dimensions, 4 concepts. */
    static ModelConfig heads() {
        return ModelConfig.tiny().withData(8, 4);
    }

    /** A student built from {@code dir} and loaded from it. */
    static StudentModel student(Path dir) {
        return ClipImport.student(ClipImport.configure(dir, heads()), Device.cpu(), Precision.FP32, 7);
    }

    /** Image and text features {@code [2][rows][E]} of the reference inputs. */
    static float[][][] features(StudentModel model, JsonNode ref) {
        float[] pixels = floats(ref.get("pixel_values"));
        int images = ref.get("pixel_values_shape").get(0).asInt();
        JsonNode rows = ref.get("input_ids");
        int length = rows.get(0).size();
        long[] ids = new long[rows.size() * length];
        long[] lengths = new long[rows.size()];
        long eos = ref.get("input_ids").get(0).get(length - 1).asLong(); // rows are padded with <|endoftext|>
        for (int r = 0; r < rows.size(); r++) {
            long[] row = new long[length];
            for (int i = 0; i < length; i++) {
                row[i] = rows.get(r).get(i).asLong();
            }
            System.arraycopy(row, 0, ids, r * length, length);
            lengths[r] = StudentTokenizer.endPosition(row, eos) + 1;
        }
        try (StudentModel.Step step = model.step(false)) {
            NDArray image = step.encodeImages(step.images(pixels, images));
            NDArray text = step.encodeTexts(step.tokens(ids, rows.size()), step.lengths(lengths));
            return new float[][][] {matrix(image), matrix(text)};
        }
    }

    @Test
    void huggingFaceSingleFileReproducesTheReference() throws IOException {
        assertReproduces("hf", FP32_TOLERANCE);
    }

    @Test
    void huggingFaceShardsReproduceTheReference() throws IOException {
        assertReproduces("hf-sharded", FP32_TOLERANCE);
    }

    @Test
    void huggingFaceFloat16ReproducesTheReferenceWithinHalfPrecision() throws IOException {
        assertReproduces("hf-fp16", FP16_TOLERANCE);
    }

    @Test
    void huggingFaceBfloat16ReproducesTheReferenceWithinItsPrecision() throws IOException {
        assertReproduces("hf-bf16", BF16_TOLERANCE);
    }

    @Test
    void openClipReproducesTheReference() throws IOException {
        assertReproduces("open_clip", FP32_TOLERANCE);
    }

    private static void assertReproduces(String layout, double tolerance) throws IOException {
        JsonNode ref = reference();
        try (StudentModel model = student(fixture(layout))) {
            ModelConfig config = model.config();
            assertEquals(32, config.imageSize());
            assertEquals(8, config.patchSize());
            assertEquals(64, config.visionMlpWidth());
            assertEquals(128, config.textMlpWidth());
            assertEquals(2, config.visionHeads());
            assertEquals(4, config.textHeads());
            assertEquals(16, config.contextLength());
            assertEquals(ModelConfig.Activation.QUICK_GELU, config.activation());
            assertEquals(8, config.teacherDim());
            float[][][] features = features(model, ref);
            assertClose(ref.get("image_features"), features[0], tolerance, layout + " image features");
            assertClose(ref.get("text_features"), features[1], tolerance, layout + " text features");
            // the temperature is the checkpoint's, not CLIP's initial one
            assertEquals(ref.get("logit_scale").asDouble(), model.parameters().get("logit_scale").getArray().getFloat(),
                    Math.max(1e-3, tolerance));
        }
    }

    @Test
    void geluConfigsComputeTheExactGelu(@TempDir Path dir) throws IOException {
        JsonNode ref = reference();
        for (String file : List.of("config.json", "tokenizer.json")) {
            Files.copy(fixture("hf-gelu").resolve(file), dir.resolve(file));
        }
        Files.copy(fixture("hf").resolve("model.safetensors"), dir.resolve("model.safetensors"));
        try (StudentModel model = student(dir)) {
            assertEquals(ModelConfig.Activation.GELU, model.config().activation());
            float[][][] features = features(model, ref);
            assertClose(ref.get("gelu_image_features"), features[0], FP32_TOLERANCE, "gelu image features");
            assertClose(ref.get("gelu_text_features"), features[1], FP32_TOLERANCE, "gelu text features");
        }
    }

    @Test
    void aTrainingSessionOfAnInitialisedConfigStartsAsTheClip(@TempDir Path dir) throws Exception {
        JsonNode ref = reference();
        TrainerConfig config = TrainerConfig.defaults(dir).withInit(fixture("open_clip").toString());
        try (TrainingSession session = TrainingSession.create(config.model().withData(8, 4), config.training(),
                Device.cpu(), Precision.FP32)) {
            float[][][] features = features(session.model(), ref);
            assertClose(ref.get("image_features"), features[0], FP32_TOLERANCE, "image features");
            assertClose(ref.get("text_features"), features[1], FP32_TOLERANCE, "text features");
            // and it trains: a step through the fixture's own tokenizer, with the loaded temperature in the loss
            StepReport report = session.train(TrainingSessionTest.examples(4), List.of());
            assertTrue(report.applied() && Double.isFinite(report.totalLoss()), report.toString());
            assertEquals(Math.exp(ref.get("logit_scale").asDouble()), report.logitScale(), 0.1);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingSession.create(
                config.model().withData(8, 4), config.training().withTextInitTeacher("onnx-minilm"), Device.cpu(),
                Precision.FP32));
        assertTrue(e.getMessage().contains("exclude each other"), e.getMessage());
    }

    @Test
    void configurationsWrittenBeforeTheClipFieldsKeepTheirBehaviour() throws IOException {
        ObjectNode old = (ObjectNode) ModelConfig.tiny().toJson();
        for (String field : List.of("activation", "layerNormEpsilon", "visionIntermediate", "textIntermediate",
                "pretrained")) {
            old.remove(field);
        }
        ModelConfig config = ModelConfig.fromJson(old);
        assertEquals(ModelConfig.tiny(), config);
        assertEquals(ModelConfig.Activation.QUICK_GELU, config.activation());
        assertEquals(1e-5, config.layerNormEpsilon());
        assertEquals(4 * 128, config.visionMlpWidth());
        assertEquals(4 * 128, config.textMlpWidth());
    }

    @Test
    void layoutsAreRecognised() {
        try (ClipImport hf = ClipImport.open(fixture("hf"));
             ClipImport openClip = ClipImport.open(fixture("open_clip"))) {
            assertEquals(ClipLayout.HUGGING_FACE, hf.layout());
            assertEquals(ClipLayout.OPEN_CLIP, openClip.layout());
        }
    }

    @Test
    void theClipTokenizerGivesTheReferenceIds() throws IOException {
        JsonNode ref = reference();
        try (StudentTokenizer tokenizer = StudentTokenizer.load(fixture("hf").resolve("tokenizer.json").toString(), 77)) {
            var cases = ref.get("tokenization").fields();
            while (cases.hasNext()) {
                var c = cases.next();
                StudentTokenizer.Tokens tokens = tokenizer.encode(List.of(c.getKey()));
                assertEquals(JSON.convertValue(c.getValue(), List.class).stream().map(n -> ((Number) n).longValue()).toList(),
                        java.util.Arrays.stream(tokens.ids()).boxed().toList(), "ids of '" + c.getKey() + "'");
                assertEquals(c.getValue().size(), tokens.lengths()[0]);
            }
            assertEquals(ref.get("input_ids").get(0).get(15).asLong(), tokenizer.endTokenId());
        }
    }

    @Test
    void aMissingTensorIsNamed(@TempDir Path dir) throws IOException {
        String missing = "text_model.encoder.layers.1.mlp.fc1.bias";
        copyHuggingFace(dir, name -> !name.equals(missing));
        try (StudentModel model = StudentModel.create(ClipImport.configure(dir, heads()), Device.cpu(), Precision.FP32, 1);
             ClipImport clip = ClipImport.open(dir)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> clip.loadInto(model));
            assertTrue(e.getMessage().contains("has no tensor '" + missing + "'"), e.getMessage());
        }
    }

    @Test
    void aShapeMismatchNamesTensorExpectedAndStored(@TempDir Path dir) throws IOException {
        copyHuggingFace(dir, name -> true);
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        ((ObjectNode) config.get("vision_config")).put("intermediate_size", 96);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        try (StudentModel model = StudentModel.create(ClipImport.configure(dir, heads()), Device.cpu(), Precision.FP32, 1);
             ClipImport clip = ClipImport.open(dir)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> clip.loadInto(model));
            assertTrue(e.getMessage().contains("tensor 'vision_model.encoder.layers.0.mlp.fc1.weight' has shape (64, 32),"
                    + " the student expects (96, 32)"), e.getMessage());
        }
    }

    @Test
    void resNetTowersAreRefusedByName(@TempDir Path dir) throws IOException {
        Path hf = Files.createDirectories(dir.resolve("hf"));
        copyHuggingFace(hf, name -> !name.startsWith("vision_model.embeddings.patch"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipImport.open(hf));
        assertTrue(e.getMessage().contains("not a patch ViT"), e.getMessage());

        Path openClip = Files.createDirectories(dir.resolve("open_clip"));
        Files.copy(fixture("open_clip").resolve("tokenizer.json"), openClip.resolve("tokenizer.json"));
        try (OutputStream out = Files.newOutputStream(openClip.resolve("open_clip_model.safetensors"))) {
            SafetensorsWriter.write(out, Map.of("visual.layer1.0.conv1.weight",
                    SafetensorsWriter.Tensor.f32(new float[4], 2, 2)), Map.of());
        }
        e = assertThrows(IllegalArgumentException.class, () -> ClipImport.open(openClip));
        assertTrue(e.getMessage().contains("ModifiedResNet"), e.getMessage());
    }

    @Test
    void aDirectoryWithoutTokenizerIsRefused(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipImport.open(dir));
        assertTrue(e.getMessage().contains("no tokenizer.json"), e.getMessage());
    }

    /** The {@code hf} fixture into {@code dir}, keeping the tensors {@code keep} accepts. */
    static void copyHuggingFace(Path dir, Predicate<String> keep) throws IOException {
        Path source = fixture("hf");
        Files.copy(source.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(source.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(source.resolve("model.safetensors"));
             NDManager manager = NDManager.newBaseManager(Device.cpu(), StudentModel.ENGINE)) {
            for (String name : file.names()) {
                if (keep.test(name)) {
                    NDArray a = file.load(name, manager, ai.djl.ndarray.types.DataType.FLOAT32);
                    tensors.put(name, SafetensorsWriter.Tensor.f32(a.toFloatArray(), a.getShape().getShape()));
                }
            }
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve("model.safetensors"))) {
            SafetensorsWriter.write(out, tensors, Map.of("format", "pt"));
        }
    }

    static void assertClose(JsonNode expected, float[][] actual, double tolerance, String what) {
        assertEquals(expected.size(), actual.length, what + " rows");
        for (int r = 0; r < actual.length; r++) {
            for (int c = 0; c < actual[r].length; c++) {
                assertEquals(expected.get(r).get(c).asDouble(), actual[r][c], tolerance, what + " [" + r + "][" + c + "]");
            }
        }
    }

    static float[][] matrix(NDArray array) {
        int rows = (int) array.getShape().get(0);
        int cols = (int) array.getShape().get(1);
        float[] flat = array.toFloatArray();
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * cols, out[r], 0, cols);
        }
        return out;
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }
}
