package dev.kclip.schemas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Embeddings and soft labels travel as float32 little-endian bytes; this is the one codec for them. */
public final class Float32Vectors {

    private Float32Vectors() {
    }

    /** Encodes {@code values} as float32 little-endian. */
    public static ByteBuffer encode(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer;
    }

    /**
     * Decodes float32 little-endian bytes; the buffer's position is left untouched.
     *
     * @param expectedDim the dimension the record declares, or -1 to accept any whole number of floats
     * @throws IllegalArgumentException when the byte count does not match
     */
    public static float[] decode(ByteBuffer bytes, int expectedDim) {
        int length = bytes.remaining();
        if (length % Float.BYTES != 0) {
            throw new IllegalArgumentException("vector has " + length + " bytes, not a multiple of 4");
        }
        int dim = length / Float.BYTES;
        if (expectedDim >= 0 && dim != expectedDim) {
            throw new IllegalArgumentException("vector has " + dim + " values but the record declares " + expectedDim);
        }
        float[] values = new float[dim];
        bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }
}
