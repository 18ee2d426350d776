package dev.kclip.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.trainer.eval.AccuracyMatrix;
import dev.kclip.trainer.eval.BucketAccuracy;
import dev.kclip.trainer.eval.ContinualMetrics;
import dev.kclip.trainer.loop.TrainingSettings;
import dev.kclip.trainer.model.ModelConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code checkpoint.json}: the format written before the concept ids still loads, field by field. */
class CheckpointManifestTest {

    @Test
    void aManifestWrittenBeforeTheConceptIdsLoadsWithEveryField() throws Exception {
        // written by the base commit's CheckpointManifest (19 components, no conceptIds), byte for byte
        byte[] json;
        try (InputStream in = getClass().getResourceAsStream("checkpoint-format-1.json")) {
            json = in.readAllBytes();
        }
        CheckpointManifest m = CheckpointManifest.fromJson(json);
        assertEquals(1, m.format());
        assertEquals("legacy-run", m.runId());
        assertEquals(7, m.version());
        assertEquals(1200, m.step());
        assertEquals(5000, m.examplesConsumed());
        assertEquals(6400, m.examplesTrained());
        assertEquals(100, m.examplesHeldOut());
        assertEquals(3, m.deadLettered());
        assertEquals(Map.of("kclip.train.examples-0", 2501L, "kclip.train.examples-1", 2499L), m.offsets());
        assertEquals(ModelConfig.tiny().withData(384, 24), m.model());
        // the settings of that day: no decay field yet, which reads as no decay (a constant rate after warm-up)
        assertEquals(TrainingSettings.defaults().withDecaySteps(0),
                new ObjectMapper().treeToValue(m.training(), TrainingSettings.class));
        assertEquals(List.of("embedding", "concept", "contrastive", "total"), List.copyOf(m.losses().keySet()));
        assertEquals(Map.of("embedding", 0.25, "concept", 2.5, "contrastive", 3.75, "total", 4.0), m.losses());
        assertEquals(Map.of("zero_shot_top1", 0.125, "teacher_cosine", 0.5), m.metrics());
        assertEquals("onnx-minilm", m.teacherModelId());
        assertEquals(11, m.centroidVersion());
        assertNull(m.conceptIds(), "no ids recorded: the rows' ids are their indices");
        assertEquals(1200, m.optimizerStep());
        assertEquals(1.0, m.lossScale());
        assertEquals("2026-11-30T10:15:30.123Z", m.createdTime());
        assertNull(m.accuracyMatrix(), "no continual evaluation recorded");
        assertNull(m.continual());
        assertNull(m.replayPolicy());
        assertEquals(Map.of("weights.params", new CheckpointManifest.FileDigest(123456, "ab".repeat(32)),
                "optimizer.safetensors", new CheckpointManifest.FileDigest(654321, "cd".repeat(32))), m.files());
    }

    @Test
    void theAccuracyMatrixAndReplayPolicyRoundTrip() throws Exception {
        Map<String, Long> trained = new LinkedHashMap<>();
        trained.put("b", 5L);
        trained.put("a", 3L);
        AccuracyMatrix matrix = new AccuracyMatrix("field category", List.of("b", "a"), List.of(
                new AccuracyMatrix.Row(4, "a", trained, Map.of("b", new BucketAccuracy(7, 10, 0.25, 0.5)))));
        CheckpointManifest m = CheckpointManifest.builder().runId("r").model(ModelConfig.tiny().withData(4, 3))
                .continual(matrix, ContinualMetrics.of(matrix)).replayPolicy("reservoir").build();
        CheckpointManifest read = CheckpointManifest.fromJson(m.toJson());
        assertEquals(matrix, read.accuracyMatrix());
        assertEquals(List.of("b", "a"), List.copyOf(read.accuracyMatrix().rows().get(0).trained().keySet()),
                "the order of first training survives");
        assertEquals(ContinualMetrics.of(matrix), read.continual());
        assertNull(read.continual().backwardTransfer());
        assertEquals("reservoir", read.replayPolicy());
        assertEquals(m, m.toBuilder().build());
    }

    @Test
    void conceptIdsRoundTripAndTheBuilderKeepsEveryGroup() throws Exception {
        CheckpointManifest m = CheckpointManifest.builder().runId("r").version(3).step(9).counts(10, 12, 2, 1)
                .offsets(Map.of("t-0", 10L)).model(ModelConfig.tiny().withData(4, 3))
                .training(TrainingSettings.defaults().toJson()).losses(Map.of("total", 1.5))
                .metrics(Map.of("teacher_cosine", 0.75)).teacherModelId("teacher").concepts(5, List.of(7L, 8L, 42L))
                .optimizer(9, 128.0).createdTime("2026-01-01T00:00:00Z")
                .files(Map.of("w", new CheckpointManifest.FileDigest(1, "00"))).build();
        CheckpointManifest read = CheckpointManifest.fromJson(m.toJson());
        assertEquals(new String(m.toJson(), StandardCharsets.UTF_8), new String(read.toJson(), StandardCharsets.UTF_8));
        assertEquals(List.of(7L, 8L, 42L), read.conceptIds());
        assertEquals(5, read.centroidVersion());
        assertEquals(128.0, read.lossScale());
        assertEquals(2, read.examplesHeldOut());
        assertEquals(1, read.deadLettered());
        assertEquals(m, m.toBuilder().build());
        assertEquals(m.model(), read.model());
        assertEquals(m.offsets(), read.offsets());
        assertEquals(4, m.withVersion(4).version());
        assertNull(read.accuracyMatrix());
        assertEquals(Map.of(), m.withFiles(Map.of()).files());
    }
}
