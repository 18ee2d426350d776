package dev.kclip.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * Avro binary decoding of one record held in a byte array, that checks every length and item count the bytes
 * declare against what is left of them before it allocates anything. Avro's own {@code BinaryDecoder} allocates a
 * string, bytes or collection of the declared size first and notices the missing bytes afterwards, so a 100-byte
 * record declaring a 1 GiB string costs a 1 GiB allocation (an {@link OutOfMemoryError} under a small heap). Here
 * it costs an {@link EOFException}; nothing larger than the record itself is ever allocated.
 *
 * <p>Collection counts are bounded by the bytes left, one per item: every item type in our schemas (strings,
 * numbers, records of them) takes at least one byte.
 */
final class BoundedBinaryDecoder extends Decoder {

    private final byte[] buf;
    private final int limit;
    private int pos;

    BoundedBinaryDecoder(byte[] bytes, int offset, int length) {
        this.buf = bytes;
        this.pos = offset;
        this.limit = offset + length;
    }

    /** Bytes not read yet. */
    int remaining() {
        return limit - pos;
    }

    @Override
    public void readNull() {
    }

    @Override
    public boolean readBoolean() throws IOException {
        need(1);
        return buf[pos++] == 1;
    }

    @Override
    public int readInt() throws IOException {
        long value = readLong();
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IOException("int out of range: " + value);
        }
        return (int) value;
    }

    @Override
    public long readLong() throws IOException {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1);
            byte b = buf[pos++];
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new IOException("variable-length number longer than 10 bytes");
    }

    @Override
    public float readFloat() throws IOException {
        return Float.intBitsToFloat((int) littleEndian(Float.BYTES));
    }

    @Override
    public double readDouble() throws IOException {
        return Double.longBitsToDouble(littleEndian(Double.BYTES));
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = readLength("string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        System.arraycopy(buf, pos, result.getBytes(), 0, length);
        pos += length;
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = readLength("string");
        String result = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return result;
    }

    @Override
    public void skipString() throws IOException {
        pos += readLength("string");
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = readLength("bytes");
        ByteBuffer result = ByteBuffer.wrap(Arrays.copyOfRange(buf, pos, pos + length));
        pos += length;
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        pos += readLength("bytes");
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        need(length);
        System.arraycopy(buf, pos, bytes, start, length);
        pos += length;
    }

    @Override
    public void skipFixed(int length) throws IOException {
        need(length);
        pos += length;
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public long readArrayStart() throws IOException {
        return readBlockCount();
    }

    @Override
    public long arrayNext() throws IOException {
        return readBlockCount();
    }

    @Override
    public long skipArray() throws IOException {
        return skipBlocks();
    }

    @Override
    public long readMapStart() throws IOException {
        return readBlockCount();
    }

    @Override
    public long mapNext() throws IOException {
        return readBlockCount();
    }

    @Override
    public long skipMap() throws IOException {
        return skipBlocks();
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    /** A string or bytes length, checked against the bytes left. */
    private int readLength(String what) throws IOException {
        long length = readLong();
        if (length < 0 || length > remaining()) {
            throw new EOFException(what + " declares " + length + " bytes but only " + remaining() + " remain");
        }
        return (int) length;
    }

    /** The item count of the next block of an array or map (its byte size, when given, is read and ignored). */
    private long readBlockCount() throws IOException {
        long count = readLong();
        if (count < 0) {
            count = count == Long.MIN_VALUE ? Long.MAX_VALUE : -count;
            readLong();
        }
        if (count > remaining()) {
            throw new EOFException("collection declares " + count + " items but only " + remaining()
                    + " bytes remain");
        }
        return count;
    }

    /** Skips the blocks whose byte size is given; the count of the first block without one, or 0 at the end. */
    private long skipBlocks() throws IOException {
        long count = readLong();
        while (count < 0) {
            long size = readLong();
            if (size < 0 || size > remaining()) {
                throw new EOFException("block declares " + size + " bytes but only " + remaining() + " remain");
            }
            pos += (int) size;
            count = readLong();
        }
        if (count > remaining()) {
            throw new EOFException("collection declares " + count + " items but only " + remaining()
                    + " bytes remain");
        }
        return count;
    }

    private long littleEndian(int bytes) throws IOException {
        need(bytes);
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            value |= (buf[pos + i] & 0xFFL) << (8 * i);
        }
        pos += bytes;
        return value;
    }

    private void need(int bytes) throws IOException {
        if (bytes < 0 || bytes > remaining()) {
            throw new EOFException("record ends " + (bytes - remaining()) + " bytes early");
        }
    }
}
