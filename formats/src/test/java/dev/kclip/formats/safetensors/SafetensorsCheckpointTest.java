package dev.kclip.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.kclip.formats.safetensors.SafetensorsWriter.Tensor;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsCheckpointTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static void index(Path dir, String weightMap) throws Exception {
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX),
                "{\"metadata\": {\"total_size\": 16}, \"weight_map\": {" + weightMap + "}}");
    }

    @Test
    void shardsListedByTheIndexAreOpenedAndEachTensorComesFromItsOwnShard(@TempDir Path dir) throws Exception {
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"),
                Map.of("embed", Tensor.f32(new float[] {1, 2}, 2)), Map.of());
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"),
                Map.of("head", Tensor.f32(new float[] {3, 4}, 1, 2)), Map.of());
        index(dir, "\"embed\": \"model-00001-of-00002.safetensors\", \"head\": \"model-00002-of-00002.safetensors\"");

        assertEquals(Map.of("embed", dir.resolve("model-00001-of-00002.safetensors"),
                "head", dir.resolve("model-00002-of-00002.safetensors")), SafetensorsCheckpoint.readIndex(dir));
        try (SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(dir)) {
            assertEquals(List.of("embed", "head"), List.copyOf(weights.names()));
            assertTrue(weights.contains("head"));
            assertFalse(weights.contains("lm_head"));
            assertArrayEquals(new float[] {1, 2}, weights.load("embed", manager, DataType.FLOAT32).toFloatArray());
            assertArrayEquals(new long[] {1, 2}, weights.load("head", manager, DataType.FLOAT32).getShape().getShape());
            assertArrayEquals(new float[] {3, 4}, weights.load("head", manager, DataType.FLOAT32).toFloatArray());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> weights.load("lm_head", manager, DataType.FLOAT32));
            assertTrue(e.getMessage().contains("lack tensor lm_head"), e.getMessage());
        }
    }

    @Test
    void withoutAnIndexTheSingleFileHoldsEveryTensor(@TempDir Path dir) throws Exception {
        SafetensorsWriter.write(dir.resolve(SafetensorsCheckpoint.SINGLE_FILE),
                Map.of("w", Tensor.f32(new float[] {5, 6, 7}, 3)), Map.of());
        try (SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(dir)) {
            assertEquals(List.of("w"), List.copyOf(weights.names()));
            assertArrayEquals(new float[] {5, 6, 7}, weights.load("w", manager, DataType.FLOAT32).toFloatArray());
        }
    }

    @Test
    void aDirectoryWithoutSafetensorsWeightsIsNamed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pytorch_model.bin"), "pickle");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains(SafetensorsCheckpoint.INDEX) && e.getMessage().contains(SafetensorsCheckpoint.SINGLE_FILE),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside.safetensors", "/etc/passwd", "shards/model-1.safetensors", "..", ".",
            "..\\\\outside.safetensors", ""})
    void anIndexNamingAShardThatIsNotAPlainFileNameInTheDirectoryIsRefused(String shard, @TempDir Path root)
            throws Exception {
        Path dir = Files.createDirectory(root.resolve("model"));
        SafetensorsWriter.write(root.resolve("outside.safetensors"), Map.of("w", Tensor.f32(new float[] {1}, 1)), Map.of());
        index(dir, "\"w\": \"" + shard + "\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("plain file name") && e.getMessage().contains("tensor w"), e.getMessage());
    }

    @Test
    void anIndexWithoutAWeightMapOrNotJsonIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX), "{\"metadata\": {}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("no weight_map"), e.getMessage());
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX), "{\"weight_map\": ");
        e = assertThrows(IllegalArgumentException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void aShardTheIndexNamesButTheDirectoryLacksIsNamedWithTheTensor(@TempDir Path dir) throws Exception {
        index(dir, "\"w\": \"model-00001-of-00001.safetensors\"");
        try (SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(dir)) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> weights.load("w", manager, DataType.FLOAT32));
            assertTrue(e.getMessage().contains("model-00001-of-00001.safetensors") && e.getMessage().contains("holding w"),
                    e.getMessage());
        }
    }
}
