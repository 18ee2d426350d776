package dev.kclip.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.formats.safetensors.SafetensorsWriter.Tensor;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void readsATensorStoredBeyondTheFirstTwoGibibytes(@TempDir Path dir) throws Exception {
        // A sparse file: a 2.5 GB U8 tensor (never written, so it takes no disk) followed by a small F32 tensor.
        long padding = 2_500_000_000L;
        float[] values = {1.5f, -2f, 3.25f, 0f, 7f, -0.125f};
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        header.putObject("padding").put("dtype", "U8").<ObjectNode>set("shape", json.createArrayNode().add(padding))
                .set("data_offsets", json.createArrayNode().add(0).add(padding));
        header.putObject("w").put("dtype", "F32").<ObjectNode>set("shape", json.createArrayNode().add(2).add(3))
                .set("data_offsets", json.createArrayNode().add(padding).add(padding + 24));
        byte[] headerBytes = json.writeValueAsBytes(header);
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
            out.write(headerBytes);
            out.seek(8 + headerBytes.length + padding);
            out.write(Tensor.f32(values, 2, 3).bytes());
        }
        assertTrue(Files.size(file) > (1L << 31));

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            NDArray w = st.load("w", manager, DataType.FLOAT32);
            assertEquals(new Shape(2, 3), w.getShape());
            assertArrayEquals(values, w.toFloatArray());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> st.load("padding", manager, DataType.FLOAT32));
            assertTrue(e.getMessage().contains("U8"), e.getMessage());
        }
    }

    @Test
    void copiesALargeTensorInRowBlocksAndWidensBfloat16Exactly(@TempDir Path dir) throws Exception {
        int rows = 37;
        int cols = 5;
        float[] values = new float[rows * cols];
        float[] bf16Values = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i * 0.37) * (i + 1);
            bf16Values[i] = Float.intBitsToFloat(SafetensorsWriter.roundToBfloat16Bits(values[i]));
        }
        Path file = dir.resolve("m.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("f32", Tensor.f32(values, rows, cols));
        tensors.put("bf16", Tensor.bf16(values, rows, cols));
        SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
        long dataStart;
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertArrayEquals(values, st.load("f32", manager, DataType.FLOAT32).toFloatArray());
            assertArrayEquals(bf16Values, st.load("bf16", manager, DataType.FLOAT32).toFloatArray());
            dataStart = Files.size(file) - st.entry("bf16").end();
            assertEquals("pt", st.metadata().get("format"));
        }
        // blocks of 3 rows (60 host bytes): 13 blocks joined on the device
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            NDArray blocked = MappedTensors.load(channel, dataStart, new Shape(rows, cols), StoredType.F32, manager,
                    DataType.FLOAT32, 60);
            assertArrayEquals(values, blocked.toFloatArray());
            NDArray blockedBf16 = MappedTensors.load(channel, dataStart + values.length * 4L, new Shape(rows, cols),
                    StoredType.BF16, manager, DataType.FLOAT32, 60);
            assertArrayEquals(bf16Values, blockedBf16.toFloatArray());
            NDArray half = MappedTensors.load(channel, dataStart, new Shape(rows, cols), StoredType.F32, manager,
                    DataType.FLOAT16, 60);
            assertEquals(DataType.FLOAT16, half.getDataType());
            assertArrayEquals(manager.create(values).toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false)
                    .toFloatArray(), half.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }

    @Test
    void aTruncatedFileIsRejectedWithTheTensorNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cut.safetensors");
        SafetensorsWriter.write(file, Map.of("weight", Tensor.f32(new float[64], 8, 8)), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().contains("'weight'") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aFileThatIsNotSafetensorsIsRejected(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        Files.writeString(file, "this is a text file, not a model", StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());
    }
}
