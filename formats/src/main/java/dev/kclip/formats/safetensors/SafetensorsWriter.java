package dev.kclip.formats.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes the safetensors format (Hugging Face) that {@link SafetensorsFile} reads: an 8-byte little-endian header
 * length, a JSON header naming each tensor's dtype, shape and byte range ({@code __metadata__} first, when there is
 * any), padded with spaces so the data starts 8-byte aligned as the reference writer does, then the raw
 * little-endian data in the order given.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One tensor: its element type, shape and little-endian bytes.
     *
     * @param type element type
     * @param shape dimensions ({@code []} for a scalar)
     * @param bytes {@code shape}'s element count × the type's size, little-endian
     */
    public record Tensor(StoredType type, long[] shape, byte[] bytes) {

        /** Checks that the bytes hold exactly the shape's elements. */
        public Tensor {
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            if (count * type.bytes() != bytes.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count + " " + type
                        + " values (" + count * type.bytes() + " bytes), data has " + bytes.length + " bytes");
            }
        }

        /** A float32 tensor of {@code values} (row-major). */
        public static Tensor f32(float[] values, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return new Tensor(StoredType.F32, shape, b.array());
        }

        /** A bfloat16 tensor of {@code values}, each rounded to nearest even ({@link #roundToBfloat16Bits}). */
        public static Tensor bf16(float[] values, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 2)).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putShort((short) (roundToBfloat16Bits(v) >>> 16));
            }
            return new Tensor(StoredType.BF16, shape, b.array());
        }

        /** A float16 tensor of {@code values}, each rounded to nearest even ({@link #roundToFloat16Bits}). */
        public static Tensor f16(float[] values, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 2)).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putShort(roundToFloat16Bits(v));
            }
            return new Tensor(StoredType.F16, shape, b.array());
        }
    }

    private SafetensorsWriter() {
    }

    /**
     * The IEEE half-precision bits of {@code v}, rounded to nearest even: overflow to infinity, subnormals kept, NaN
     * stays NaN (what {@code Float.floatToFloat16} of Java 20 computes).
     */
    public static short roundToFloat16Bits(float v) {
        int bits = Float.floatToRawIntBits(v);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
        }
        int unbiased = exponent - 127;
        if (unbiased > 15) {
            return (short) (sign | 0x7c00);
        }
        if (unbiased >= -14) {
            // normal half: 10 mantissa bits, round the 13 dropped ones to nearest even (a carry may bump the exponent)
            int half = ((unbiased + 15) << 10) | (mantissa >>> 13);
            int dropped = mantissa & 0x1fff;
            if (dropped > 0x1000 || dropped == 0x1000 && (half & 1) == 1) {
                half++;
            }
            return (short) (sign | half);
        }
        if (unbiased < -25) {
            return (short) sign;
        }
        // subnormal half: value = m · 2^-24 with the implicit bit restored
        int full = mantissa | 0x800000;
        int shift = -1 - unbiased; // 14 .. 24
        int half = full >>> shift;
        int dropped = full & ((1 << shift) - 1);
        int midpoint = 1 << (shift - 1);
        if (dropped > midpoint || dropped == midpoint && (half & 1) == 1) {
            half++;
        }
        return (short) (sign | half);
    }

    /**
     * The float32 bit pattern of {@code v} rounded to the nearest bfloat16, ties to even (low 16 bits zero; for
     * finite values).
     */
    public static int roundToBfloat16Bits(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
    }

    /**
     * Writes {@code tensors} in their iteration order, with {@code metadata} under {@code __metadata__} (left out
     * when empty), and flushes {@code out}.
     *
     * @return the size of the data section in bytes (what {@code model.safetensors.index.json} calls its
     *     {@code total_size})
     */
    public static long write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", e.getValue().type().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = e.getValue().bytes().length;
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(headerBytes);
        for (Tensor t : tensors.values()) {
            out.write(t.bytes());
        }
        out.flush();
        return offset;
    }

    /**
     * Writes {@code tensors} to {@code file} (created or replaced).
     *
     * @return the size of the data section in bytes
     */
    public static long write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            return write(out, tensors, metadata);
        }
    }
}
