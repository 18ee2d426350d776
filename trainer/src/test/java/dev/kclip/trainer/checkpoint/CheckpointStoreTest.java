package dev.kclip.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kclip.teacher.safetensors.SafetensorsFile;
import dev.kclip.trainer.model.ModelConfig;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

/** Atomic versioned checkpoints, verification by SHA-256, pruning, and the safetensors format. */
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

    @Test
    void safetensorsRoundTripWithAnAlignedHeader(@TempDir Path dir) throws Exception {
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", new Safetensors.Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
        tensors.put("logit_scale", new Safetensors.Tensor(new long[0], new float[] {2.6592f}));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, tensors, Map.of("format", "pt"));
        byte[] bytes = out.toByteArray();
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}"), header);
        assertEquals(8 + headerLength + 28, bytes.length);
        assertEquals(1f, ByteBuffer.wrap(bytes, 8 + (int) headerLength, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
        // read back by the teacher's independent, memory-mapped reader
        Path file = Files.write(dir.resolve("round-trip.safetensors"), bytes);
        try (SafetensorsFile read = SafetensorsFile.open(file); NDManager manager = NDManager.newBaseManager()) {
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6},
                    read.load("a.weight", manager, DataType.FLOAT32).toFloatArray());
            assertArrayEquals(new long[] {2, 3}, read.entry("a.weight").shape().getShape());
            assertArrayEquals(new long[0], read.entry("logit_scale").shape().getShape());
            assertEquals(2.6592f, read.load("logit_scale", manager, DataType.FLOAT32).getFloat());
            assertEquals("pt", read.metadata().get("format"));
        }
    }
}
