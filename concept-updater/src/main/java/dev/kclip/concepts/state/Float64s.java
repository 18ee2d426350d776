package dev.kclip.concepts.state;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** float64 little-endian bytes of a slice of a double array: the state schema's {@code ConceptSum.sum}. */
public final class Float64s {

    private Float64s() {
    }

    /** {@code length} values of {@code values} from {@code offset}. */
    public static ByteBuffer encode(double[] values, int offset, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(8 * length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asDoubleBuffer().put(values, offset, length);
        return buffer;
    }

    /** Reads exactly {@code length} values into {@code target} from {@code offset}. */
    public static void decode(ByteBuffer bytes, double[] target, int offset, int length) {
        ByteBuffer buffer = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (buffer.remaining() != 8 * length) {
            throw new IllegalArgumentException(buffer.remaining() + " bytes for " + length + " float64 values");
        }
        buffer.asDoubleBuffer().get(target, offset, length);
    }
}
