package dev.kclip.trainer.model.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kclip.formats.tokenizer.TokenizerJson;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.HuggingFaceExport;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import dev.kclip.trainer.model.StudentModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kclip checkpoints export} writes a directory that {@code --init} reads back into the same student. */
class ExportRoundTripTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static StoredCheckpoint checkpoint(StudentModel model, Path root) throws IOException {
        CheckpointManifest manifest = CheckpointManifest.builder().runId("run").step(1).counts(1, 1, 0, 0)
                .model(model.config()).training(JsonNodeFactory.instance.objectNode()).teacherModelId("onnx-minilm")
                .concepts(1, null).optimizer(0, 1.0).createdTime("2026-01-01T00:00:00Z").build();
        Map<String, CheckpointStore.FileContent> files = new LinkedHashMap<>();
        files.put(StoredCheckpoint.WEIGHTS_FILE, model::save);
        files.put(StoredCheckpoint.OPTIMIZER_FILE, out -> out.write(new byte[0]));
        // as the trainer's checkpoints do: a tokenizer file travels with the checkpoint, or it is not read
        if (!model.config().tokenizer().startsWith(TokenizerJson.CLASSPATH)) {
            files.put(StoredCheckpoint.TOKENIZER_FILE, out -> Files.copy(Path.of(model.config().tokenizer()), out));
        }
        return new CheckpointStore(root, 1).write(manifest, files);
    }

    @Test
    void anExportedClipStudentImportsToIdenticalEmbeddings(@TempDir Path dir) throws IOException {
        JsonNode ref = ClipImportTest.reference();
        Path export = dir.resolve("export");
        float[][][] before;
        try (StudentModel model = ClipImportTest.student(ClipImportTest.fixture("hf"))) {
            before = ClipImportTest.features(model, ref);
            HuggingFaceExport.export(checkpoint(model, dir.resolve("store")), export);
        }
        try (StudentModel reimported = ClipImportTest.student(export)) {
            float[][][] after = ClipImportTest.features(reimported, ref);
            for (int tower = 0; tower < 2; tower++) {
                for (int r = 0; r < before[tower].length; r++) {
                    assertArrayEquals(before[tower][r], after[tower][r], "tower " + tower + " row " + r);
                }
            }
            assertEquals(ModelConfig.Activation.QUICK_GELU, reimported.config().activation());
        }
        JsonNode tokenizerConfig = JSON.readTree(export.resolve("tokenizer_config.json").toFile());
        assertEquals("CLIPTokenizer", tokenizerConfig.get("tokenizer_class").asText());
        assertEquals(16, tokenizerConfig.get("model_max_length").asInt());
        assertEquals("<|endoftext|>", tokenizerConfig.get("eos_token").asText());
        JsonNode tokenizer = JSON.readTree(export.resolve("tokenizer.json").toFile());
        assertEquals(16, tokenizer.path("truncation").path("max_length").asInt());
        assertEquals(16, tokenizer.path("padding").path("strategy").path("Fixed").asInt());
        assertEquals("<|endoftext|>", tokenizer.path("padding").path("pad_token").asText());
        JsonNode config = JSON.readTree(export.resolve("config.json").toFile());
        assertEquals(64, config.path("vision_config").path("intermediate_size").asInt());
        assertEquals(602, config.path("text_config").path("eos_token_id").asInt());
    }

    @Test
    void aWordPieceExportPadsToTheModelsPositionsAndNamesBertsTokenizer(@TempDir Path dir) throws IOException {
        ModelConfig config = ModelConfig.tiny().withData(4, 3);
        Path export = dir.resolve("export");
        try (StudentModel model = StudentModel.create(config, Device.cpu(), Precision.FP32, 1)) {
            HuggingFaceExport.export(checkpoint(model, dir.resolve("store")), export);
        }
        JsonNode tokenizer = JSON.readTree(export.resolve("tokenizer.json").toFile());
        assertEquals(32, tokenizer.path("padding").path("strategy").path("Fixed").asInt());
        assertEquals(32, tokenizer.path("truncation").path("max_length").asInt());
        assertEquals("[PAD]", tokenizer.path("padding").path("pad_token").asText());
        JsonNode tokenizerConfig = JSON.readTree(export.resolve("tokenizer_config.json").toFile());
        assertEquals("BertTokenizer", tokenizerConfig.get("tokenizer_class").asText());
        assertEquals(32, tokenizerConfig.get("model_max_length").asInt());
        assertEquals("[SEP]", tokenizerConfig.get("sep_token").asText());
        JsonNode preprocessor = JSON.readTree(export.resolve("preprocessor_config.json").toFile());
        assertEquals(64, preprocessor.path("crop_size").path("height").asInt());
        assertEquals(0.48145466, preprocessor.path("image_mean").get(0).asDouble(), 1e-7);
    }
}
