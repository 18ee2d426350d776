package dev.kclip.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.formats.safetensors.SafetensorsFile;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.HuggingFaceExport;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training steps, and checkpoints that restore the exact state (weights and AdamW moments), and their export. */
public class TrainingSessionTest {

    public static ModelConfig small() {
        ObjectNode json = (ObjectNode) ModelConfig.tiny().toJson();
        json.put("imageSize", 16).put("patchSize", 8).put("visionWidth", 32).put("visionLayers", 1).put("visionHeads", 2)
                .put("textWidth", 32).put("textLayers", 1).put("textHeads", 2).put("embedDim", 16).put("name", "small");
        return ModelConfig.fromJson(json).withData(8, 3);
    }

    public static List<TrainingExample> examples(int n) throws Exception {
        Random random = new Random(9);
        List<TrainingExample> list = new ArrayList<>();
        String[] colours = {"red", "green", "blue", "yellow"};
        Color[] values = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};
        for (int i = 0; i < n; i++) {
            BufferedImage image = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setColor(values[i % 4]);
            g.fillOval(2, 2, 16, 16);
            g.dispose();
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            float[] teacher = new float[8];
            teacher[i % 4] = 1;
            float[] label = new float[3];
            label[i % 3] = 0.8f;
            label[(i + 1) % 3] = 0.2f;
            list.add(new TrainingExample("id-" + i, "a " + colours[i % 4] + " circle " + random.nextInt(5), png.toByteArray(),
                    colours[i % 4], teacher, "onnx-minilm", label, 1, new long[0], null));
        }
        return list;
    }

    private static TrainingSettings settings() {
        return TrainingSettings.defaults().withLearningRate(1e-3, 2);
    }

    @Test
    void aRestoredCheckpointTrainsOnExactlyLikeTheOriginal(@TempDir Path dir) throws Exception {
        List<TrainingExample> data = examples(8);
        CheckpointStore store = new CheckpointStore(dir, 3);
        try (TrainingSession original = TrainingSession.create(small(), settings(), Device.cpu(), Precision.FP32)) {
            original.train(data.subList(0, 4), List.of());
            original.train(data.subList(4, 8), List.of());
            CheckpointManifest manifest = CheckpointManifest.builder().runId("run").step(original.step())
                    .counts(8, 8, 0, 0).model(original.model().config()).training(original.settings().toJson())
                    .teacherModelId("onnx-minilm").concepts(1, null).optimizer(original.step(), original.lossScale())
                    .createdTime("2026-01-01T00:00:00Z").build();
            StoredCheckpoint stored = store.write(manifest, original.checkpointFiles());
            try (SafetensorsFile state = SafetensorsFile.open(stored.file(StoredCheckpoint.OPTIMIZER_FILE))) {
                assertEquals(2 * original.model().parameters().size(), state.names().size(), "m and v of every weight");
                assertTrue(state.names().containsAll(List.of("m/visual.patch_embedding", "v/logit_scale")));
            }
            try (TrainingSession restored = TrainingSession.restore(store.newestVerified().orElseThrow(), settings(),
                    Device.cpu(), Precision.FP32)) {
                assertEquals(2, restored.step());
                StepReport a = original.train(data.subList(0, 4), List.of());
                StepReport b = restored.train(data.subList(0, 4), List.of());
                assertEquals(3, b.step());
                assertEquals(a.totalLoss(), b.totalLoss(), 0.0, "same weights, same batch, same augmentation");
                float[] wa = original.model().parameters().get("text.layers.0.mlp.fc1.weight").getArray().toFloatArray();
                float[] wb = restored.model().parameters().get("text.layers.0.mlp.fc1.weight").getArray().toFloatArray();
                assertArrayEquals(wa, wb, 0f, "same AdamW moments, same update");
            }
        }
    }

    @Test
    void theLossFallsOnRepeatedBatchesAndReplaysCount() throws Exception {
        List<TrainingExample> data = examples(8);
        try (TrainingSession session = TrainingSession.create(small(), settings(), Device.cpu(), Precision.FP32)) {
            StepReport first = session.train(data.subList(0, 6), data.subList(6, 8));
            assertEquals(6, first.freshIds().size());
            assertEquals(8, first.size());
            StepReport last = first;
            for (int i = 0; i < 25; i++) {
                last = session.train(data.subList(0, 6), data.subList(6, 8));
            }
            assertTrue(last.totalLoss() < first.totalLoss() * 0.8, first.totalLoss() + " -> " + last.totalLoss());
            assertTrue(last.applied());
        }
    }

    @Test
    void exportWritesClipModelNamesAndConfig(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), 3);
        try (TrainingSession session = TrainingSession.create(small(), settings(), Device.cpu(), Precision.FP32)) {
            session.train(examples(4), List.of());
            CheckpointManifest manifest = CheckpointManifest.builder().runId("run").step(1).counts(4, 4, 0, 0)
                    .model(session.model().config()).training(session.settings().toJson()).teacherModelId("onnx-minilm")
                    .concepts(1, null).optimizer(1, 1.0).createdTime("2026-01-01T00:00:00Z").build();
            StoredCheckpoint stored = store.write(manifest, session.checkpointFiles());
            Path out = dir.resolve("export");
            HuggingFaceExport.export(stored, out);
            try (SafetensorsFile tensors = SafetensorsFile.open(out.resolve(HuggingFaceExport.WEIGHTS))) {
                assertArrayEquals(new long[] {32, 3, 8, 8}, shape(tensors, "vision_model.embeddings.patch_embedding.weight"));
                assertArrayEquals(new long[] {32}, shape(tensors, "vision_model.embeddings.class_embedding"));
                assertArrayEquals(new long[] {16, 32}, shape(tensors, "text_projection.weight"));
                assertArrayEquals(new long[] {30522, 32}, shape(tensors, "text_model.embeddings.token_embedding.weight"));
                assertArrayEquals(new long[] {32, 32}, shape(tensors, "text_model.encoder.layers.0.self_attn.q_proj.weight"));
                assertArrayEquals(new long[] {128, 32}, shape(tensors, "vision_model.encoder.layers.0.mlp.fc1.weight"));
                assertArrayEquals(new long[0], shape(tensors, "logit_scale"));
                assertArrayEquals(new long[] {3, 32}, shape(tensors, "knowledge_clip.concept_classifier.weight"));
                try (NDArray scale = tensors.load("logit_scale", session.model().manager(), DataType.FLOAT32)) {
                    assertEquals(session.model().parameters().get("logit_scale").getArray().toFloatArray()[0],
                            scale.toFloatArray()[0], 0f);
                }
            }
            JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
            assertEquals("clip", config.get("model_type").asText());
            assertEquals(16, config.get("projection_dim").asInt());
            assertEquals(32, config.path("text_config").path("hidden_size").asInt());
            assertEquals(102, config.path("text_config").path("eos_token_id").asInt());
            assertEquals(16, config.path("vision_config").path("image_size").asInt());
            assertTrue(Files.size(out.resolve("tokenizer.json")) > 100_000);
        }
    }

    private static long[] shape(SafetensorsFile file, String name) {
        return file.entry(name).shape().getShape();
    }
}
