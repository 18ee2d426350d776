package dev.kclip.teacher.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes safetensors files for tests (the project only reads them). */
public final class SafetensorsWriter {

    /** One tensor: its safetensors dtype name, shape and little-endian bytes. */
    public record Tensor(String dtype, long[] shape, byte[] bytes) {

        public static Tensor f32(float[] values, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return new Tensor("F32", shape, b.array());
        }

        /** Bfloat16 of each value, rounded to nearest even (values must be finite). */
        public static Tensor bf16(float[] values, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putShort((short) (roundToBfloat16Bits(v) >>> 16));
            }
            return new Tensor("BF16", shape, b.array());
        }
    }

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    public SafetensorsWriter add(String name, Tensor tensor) {
        tensors.put(name, tensor);
        return this;
    }

    /** The float32 bit pattern of {@code v} rounded to bfloat16 (low 16 bits zero). */
    public static int roundToBfloat16Bits(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
    }

    /** Writes the file; returns the data section's size. */
    public long write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype());
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + e.getValue().bytes().length);
            offset += e.getValue().bytes().length;
        }
        byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (headerBytes.length + 7) / 8 * 8;
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            out.write(" ".repeat(padded - headerBytes.length).getBytes(StandardCharsets.US_ASCII));
            for (Tensor t : tensors.values()) {
                out.write(t.bytes());
            }
        }
        return offset;
    }
}
