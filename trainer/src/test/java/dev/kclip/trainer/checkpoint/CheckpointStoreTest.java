package dev.kclip.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kclip.trainer.model.ModelConfig;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic versioned checkpoints, verification by SHA-256, pruning. */
class CheckpointStoreTest {

    static CheckpointManifest manifest(long step) {
        return CheckpointManifest.builder().runId("run").step(step).counts(step * 10, step * 12, 0, 0)
                .offsets(Map.of("kclip.train.examples-0", step * 10)).model(ModelConfig.tiny().withData(4, 3))
                .training(JsonNodeFactory.instance.objectNode()).losses(Map.of("total", 1.5)).teacherModelId("onnx-minilm")
                .concepts(7, List.of(10L, 11L, 12L)).optimizer(step, 1.0).createdTime("2026-01-01T00:00:00Z").build();
    }

    static StoredCheckpoint write(CheckpointStore store, long step, String weights) throws Exception {
        Map<String, CheckpointStore.FileContent> files = new LinkedHashMap<>();
        files.put("weights.params", out -> out.write(weights.getBytes(StandardCharsets.UTF_8)));
        files.put("optimizer.safetensors", out -> out.write(new byte[] {1, 2, 3}));
        return store.write(manifest(step), files);
    }

    @Test
    void versionsAreNumberedVerifiedAndPrunedToTheNewest(@TempDir Path root) throws Exception {
        CheckpointStore store = new CheckpointStore(root, 2);
        write(store, 10, "first");
        write(store, 20, "second");
        StoredCheckpoint third = write(store, 30, "third");
        assertEquals(3, third.version());
        assertEquals(List.of(root.resolve("v000003"), root.resolve("v000002")), store.versionDirectories());
        assertFalse(Files.exists(root.resolve("v000001")), "only the newest two are kept");
        CheckpointManifest read = CheckpointManifest.fromJson(Files.readAllBytes(third.file(CheckpointStore.MANIFEST)));
        assertEquals(30, read.step());
        assertEquals(CheckpointStore.sha256(third.file("weights.params")), read.files().get("weights.params").sha256());
        assertEquals(5, read.files().get("weights.params").bytes());
        assertEquals(third.manifestSha256(), CheckpointStore.verify(third.directory()).manifestSha256());
        assertEquals(3, store.newestVerified().orElseThrow().version());
    }

    @Test
    void aTruncatedWeightsFileIsDetectedAndThePreviousCheckpointUsed(@TempDir Path root) throws Exception {
        CheckpointStore store = new CheckpointStore(root, 5);
        write(store, 10, "weights of step ten");
        StoredCheckpoint newest = write(store, 20, "weights of step twenty");
        try (FileChannel channel = FileChannel.open(newest.file("weights.params"), StandardOpenOption.WRITE)) {
            channel.truncate(7);
        }
        CheckpointStore.Verification v = CheckpointStore.verify(newest.directory());
        assertFalse(v.ok());
        assertTrue(v.problem().contains("weights.params has 7 bytes"), v.problem());
        assertEquals(1, store.newestVerified().orElseThrow().version());
        // same size, different bytes: caught by the hash
        StoredCheckpoint third = write(store, 30, "abcdef");
        Files.writeString(third.file("weights.params"), "abcdeX");
        assertTrue(CheckpointStore.verify(third.directory()).problem().contains("SHA-256"));
        assertEquals(1, store.newestVerified().orElseThrow().version());
    }

    @Test
    void leftoversOfAnInterruptedWriteAreNeverCheckpoints(@TempDir Path root) throws Exception {
        Path partial = root.resolve(".tmp-v000001-crashed");
        Files.createDirectories(partial);
        Files.writeString(partial.resolve("weights.params"), "half");
        Path noManifest = root.resolve("v000002");
        Files.createDirectories(noManifest);
        CheckpointStore store = new CheckpointStore(root, 3);
        assertFalse(Files.exists(partial), "temporary directories are removed on open");
        assertTrue(store.newestVerified().isEmpty(), "a version directory without a manifest does not verify");
        assertEquals(3, write(store, 5, "w").version(), "numbering never reuses a version");
    }
}
