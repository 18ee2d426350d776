package dev.kclip.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.kclip.formats.safetensors.SafetensorsWriter.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    private static Map<String, Tensor> weightAndScale() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", Tensor.f32(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        tensors.put("logit_scale", Tensor.f32(new float[] {2.6592f}));
        return tensors;
    }

    @Test
    void writesExactlyTheBytesTheTrainersCheckpointsHoldSoOlderFilesStayTheSameFormat() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long dataBytes = SafetensorsWriter.write(out, weightAndScale(), Map.of("format", "pt"));

        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"logit_scale\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[24,28]}}";
        int padded = (json.length() + 7) / 8 * 8;
        ByteBuffer expected = ByteBuffer.allocate(8 + padded + 28).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(padded).put((json + " ".repeat(padded - json.length())).getBytes(StandardCharsets.UTF_8));
        for (float v : new float[] {1, 2, 3, 4, 5, 6, 2.6592f}) {
            expected.putFloat(v);
        }
        assertEquals(28, dataBytes);
        assertArrayEquals(expected.array(), out.toByteArray());
    }

    @Test
    void noMetadataLeavesTheMetadataEntryOutAndTheDataStaysAligned() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafetensorsWriter.write(out, Map.of("x", Tensor.f32(new float[] {7f}, 1)), Map.of());
        byte[] bytes = out.toByteArray();
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
        assertEquals("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8).strip());
        assertEquals(7f, ByteBuffer.wrap(bytes, 8 + (int) headerLength, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
    }

    @Test
    void whatTheWriterWritesTheMappedReaderReadsBack(@TempDir Path dir) throws Exception {
        Map<String, Tensor> tensors = weightAndScale();
        float[] values = {0.1f, -3.75f, 1e-3f, 65504f};
        tensors.put("half", Tensor.bf16(values, 2, 2));
        Path file = dir.resolve("round-trip.safetensors");
        long dataBytes = SafetensorsWriter.write(file, tensors, Map.of("format", "pt", "step", "12"));
        try (SafetensorsFile read = SafetensorsFile.open(file);
                NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            assertEquals(java.util.List.of("a.weight", "logit_scale", "half"), java.util.List.copyOf(read.names()));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, read.load("a.weight", manager, DataType.FLOAT32).toFloatArray());
            assertArrayEquals(new long[] {2, 3}, read.entry("a.weight").shape().getShape());
            assertArrayEquals(new long[0], read.entry("logit_scale").shape().getShape());
            assertEquals(2.6592f, read.load("logit_scale", manager, DataType.FLOAT32).getFloat());
            float[] rounded = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                rounded[i] = Float.intBitsToFloat(SafetensorsWriter.roundToBfloat16Bits(values[i]));
            }
            assertArrayEquals(rounded, read.load("half", manager, DataType.FLOAT32).toFloatArray());
            assertEquals("BF16", read.entry("half").dtype());
            assertEquals(Map.of("format", "pt", "step", "12"), read.metadata());
            assertEquals(dataBytes, read.entry("half").end());
        }
        assertTrue(Files.size(file) > dataBytes);
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        // 1 + 2^-8 lies halfway between bfloat16 neighbours 1 and 1 + 2^-7: ties go to the even one, 1
        assertEquals(1f, Float.intBitsToFloat(SafetensorsWriter.roundToBfloat16Bits(1f + 0x1p-8f)));
        assertEquals(1f + 0x1p-7f, Float.intBitsToFloat(SafetensorsWriter.roundToBfloat16Bits(1f + 0x1p-8f + 0x1p-12f)));
    }

    @Test
    void float16BitsAreIeeeHalvesRoundedToNearestEven() {
        assertEquals((short) 0x3c00, SafetensorsWriter.roundToFloat16Bits(1f));
        assertEquals((short) 0xc000, SafetensorsWriter.roundToFloat16Bits(-2f));
        assertEquals((short) 0x7bff, SafetensorsWriter.roundToFloat16Bits(65504f));
        assertEquals((short) 0x7c00, SafetensorsWriter.roundToFloat16Bits(70000f));
        assertEquals((short) 0x0001, SafetensorsWriter.roundToFloat16Bits(0x1p-24f));
        assertEquals((short) 0x0200, SafetensorsWriter.roundToFloat16Bits(0x1p-15f));
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: the even one, 1; a little more goes up
        assertEquals((short) 0x3c00, SafetensorsWriter.roundToFloat16Bits(1f + 0x1p-11f));
        assertEquals((short) 0x3c01, SafetensorsWriter.roundToFloat16Bits(1f + 0x1p-11f + 0x1p-20f));
        assertEquals(0x7e00, SafetensorsWriter.roundToFloat16Bits(Float.NaN) & 0x7e00);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            float[] values = {0.1f, -3.14159f, 1e-5f, 1234.5f, 0f};
            Tensor tensor = Tensor.f16(values, values.length);
            float[] widened = manager.create(ByteBuffer.wrap(tensor.bytes()).order(ByteOrder.LITTLE_ENDIAN),
                    new ai.djl.ndarray.types.Shape(values.length), DataType.FLOAT16).toType(DataType.FLOAT32, false).toFloatArray();
            for (int i = 0; i < values.length; i++) {
                assertEquals(values[i], widened[i], Math.abs(values[i]) * 1e-3 + 1e-7, "value " + i);
            }
        }
    }

    @Test
    void aTensorWhoseBytesDoNotFitItsShapeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Tensor(StoredType.F16, new long[] {2, 3}, new byte[10]));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("12 bytes"), e.getMessage());
    }
}
