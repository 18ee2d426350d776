package dev.kclip.schemas;

import java.nio.ByteBuffer;

/** Avro {@code bytes} fields arrive as {@link ByteBuffer}s; this reads one without moving its position. */
public final class AvroBytes {

    private AvroBytes() {
    }

    /** A copy of the remaining bytes of {@code buffer}; the buffer itself is left as it was. */
    public static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
