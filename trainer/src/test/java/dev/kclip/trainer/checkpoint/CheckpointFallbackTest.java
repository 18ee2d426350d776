package dev.kclip.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.trainer.loop.StreamTrainer;
import dev.kclip.trainer.loop.Student;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.loop.TrainingListener;
import dev.kclip.trainer.loop.TrainingSession;
import dev.kclip.trainer.loop.TrainingSessionTest;
import dev.kclip.trainer.loop.TrainingSettings;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real student's checkpoints that verify but do not load (weights cut short with the manifest re-hashed, a model
 * configuration the weights do not fit): the trainer resumes from the previous one instead of failing to start.
 */
class CheckpointFallbackTest {

    private static final TrainingSettings SETTINGS = TrainingSettings.defaults();

    @Test
    void checkpointsThatVerifyButDoNotLoadFallBackToThePreviousOne(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, 5);
        TrainerConfig config = TrainerConfig.defaults(dir).withModel(TrainingSessionTest.small());
        String partition = CheckpointManifest.offsetKey(config.topic(), 0);
        try (TrainingSession session = TrainingSession.create(config.model(), SETTINGS, Device.cpu(), Precision.FP32)) {
            session.train(TrainingSessionTest.examples(4), List.of());
            for (long offset : new long[] {4, 8, 12}) {
                CheckpointManifest manifest = CheckpointManifest.builder().runId("run").step(session.step())
                        .counts(offset, offset, 0, 0).offsets(Map.of(partition, offset)).model(session.config())
                        .training(SETTINGS.toJson()).teacherModelId("onnx-minilm").concepts(1, null)
                        .optimizer(session.step(), 1.0).createdTime("2026-01-01T00:00:00Z").build();
                store.write(manifest, session.checkpointFiles());
            }
        }
        // version 2: weights cut in half, the manifest re-hashed to match
        Path v2 = dir.resolve(CheckpointStore.directoryName(2));
        Path weights = v2.resolve(StoredCheckpoint.WEIGHTS_FILE);
        try (FileChannel channel = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }
        CheckpointManifest.FileDigest cut = CheckpointStoreTest.digest(weights);
        CheckpointStoreTest.rewriteManifest(v2, m -> {
            Map<String, CheckpointManifest.FileDigest> files = new TreeMap<>(m.files());
            files.put(StoredCheckpoint.WEIGHTS_FILE, cut);
            return m.withFiles(files);
        });
        // version 3: a model configuration that parses, wider than its weights
        CheckpointStoreTest.rewriteManifest(dir.resolve(CheckpointStore.directoryName(3)), m -> m.toBuilder()
                .model(ModelConfig.fromJson(((ObjectNode) m.model().toJson())
                        .put("textWidth", 48))).build());
        assertTrue(store.verifyAll().stream().allMatch(CheckpointStore.Verification::ok), "all three verify");

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (StreamTrainer trainer = new StreamTrainer(config, students(), onDisk(store), System::nanoTime,
                TrainingListener.NONE, registry)) {
            assertEquals(Map.of(partition, 4L), trainer.restore(), "resumed at version 1's offsets");
        }
        assertEquals(2.0, registry.counter("kclip.trainer.checkpoints.rejected", "reason", "unloadable").count());
        assertEquals(1.0, registry.get("kclip.trainer.checkpoint.version").gauge().value());
    }

    private static Student.Factory students() {
        return new Student.Factory() {
            @Override
            public Student create(ModelConfig model) {
                return TrainingSession.create(model, SETTINGS, Device.cpu(), Precision.FP32);
            }

            @Override
            public Student restore(StoredCheckpoint checkpoint) throws IOException {
                return TrainingSession.restore(checkpoint, SETTINGS, Device.cpu(), Precision.FP32);
            }
        };
    }

    /** The store, read only: this test restores and never trains. */
    private static StreamTrainer.Checkpoints onDisk(CheckpointStore store) {
        return new StreamTrainer.Checkpoints() {
            @Override
            public Stream<CheckpointStore.Verification> newestFirst() {
                return store.newestFirst();
            }

            @Override
            public StoredCheckpoint write(CheckpointManifest manifest, Map<String, CheckpointStore.FileContent> files) {
                throw new UnsupportedOperationException("restore only");
            }
        };
    }
}
