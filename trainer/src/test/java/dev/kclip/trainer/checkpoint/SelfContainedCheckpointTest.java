package dev.kclip.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kclip.common.files.Directories;
import dev.kclip.trainer.eval.Evaluator;
import dev.kclip.trainer.loop.TrainingSession;
import dev.kclip.trainer.loop.TrainingSettings;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import dev.kclip.trainer.model.clip.ClipImport;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint of a student started from a pretrained directory carries that directory's tokenizer: resuming,
 * exporting and evaluating work after the directory is gone.
 */
class SelfContainedCheckpointTest {

    private static final List<String> TEXTS = List.of("a photo of a red apple", "two dogs", "zebra");

    @Test
    void aCheckpointOfAnImportedStudentOutlivesItsInitDirectory(@TempDir Path dir) throws Exception {
        Path init = dir.resolve("init");
        copy(fixture(), init);
        ModelConfig config = ClipImport.configure(init, ModelConfig.tiny().withData(8, 4));
        TrainingSettings settings = TrainingSettings.defaults();
        float[][] before;
        StoredCheckpoint checkpoint;
        try (TrainingSession session = TrainingSession.create(config, settings, Device.cpu(), Precision.FP32)) {
            before = new Evaluator(session.model(), session.tokenizer(), Evaluator.DEFAULT_PROMPT).texts(TEXTS);
            checkpoint = new CheckpointStore(dir.resolve("store"), 2).write(manifest(session.config()), session.checkpointFiles());
        }
        assertTrue(Files.isRegularFile(checkpoint.file(StoredCheckpoint.TOKENIZER_FILE)));
        Directories.deleteRecursively(init);

        assertTrue(CheckpointStore.verify(checkpoint.directory()).ok(), "the tokenizer copy is one of the verified files");
        assertEquals(checkpoint.file(StoredCheckpoint.TOKENIZER_FILE).toString(), checkpoint.model().tokenizer());
        assertEquals(init.resolve(ClipImport.TOKENIZER).toString(), checkpoint.manifest().model().tokenizer(),
                "the manifest keeps the origin");
        try (TrainingSession restored = TrainingSession.restore(checkpoint, settings, Device.cpu(), Precision.FP32)) {
            float[][] after = new Evaluator(restored.model(), restored.tokenizer(), Evaluator.DEFAULT_PROMPT).texts(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(before[i], after[i], 1e-6f, TEXTS.get(i));
            }
            // a checkpoint of the restored session carries the tokenizer on, though the first one may be pruned
            StoredCheckpoint next = new CheckpointStore(dir.resolve("store"), 2).write(manifest(restored.config()),
                    restored.checkpointFiles());
            assertArrayEquals(Files.readAllBytes(checkpoint.file(StoredCheckpoint.TOKENIZER_FILE)),
                    Files.readAllBytes(next.file(StoredCheckpoint.TOKENIZER_FILE)));
        }
        List<Path> exported = HuggingFaceExport.export(checkpoint, dir.resolve("export"));
        assertTrue(exported.contains(dir.resolve("export").resolve("tokenizer.json")));
        assertEquals(602, new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("export/config.json")
                .toFile()).path("text_config").path("eos_token_id").asInt());
    }

    @Test
    void aStudentOnTheBundledTokenizerWritesNoCopy(@TempDir Path dir) throws IOException {
        ModelConfig config = ModelConfig.tiny().withData(8, 4);
        try (TrainingSession session = TrainingSession.create(config, TrainingSettings.defaults(), Device.cpu(), Precision.FP32)) {
            StoredCheckpoint checkpoint = new CheckpointStore(dir, 1).write(manifest(config), session.checkpointFiles());
            assertFalse(Files.exists(checkpoint.directory().resolve(StoredCheckpoint.TOKENIZER_FILE)));
            assertEquals(ModelConfig.DEFAULT_TOKENIZER, checkpoint.model().tokenizer());
        }
    }

    private static CheckpointManifest manifest(ModelConfig model) {
        return CheckpointManifest.builder().runId("run").step(0).counts(0, 0, 0, 0).model(model)
                .training(JsonNodeFactory.instance.objectNode()).teacherModelId("onnx-minilm").concepts(1, null)
                .optimizer(0, 1.0).createdTime("2026-01-01T00:00:00Z").build();
    }

    private static Path fixture() throws URISyntaxException {
        return Path.of(SelfContainedCheckpointTest.class.getResource("/clip-fixture/hf").toURI());
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }
}
