package dev.kclip.testsupport.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.io.BinaryData;

/**
 * Seeded mutations of valid record bytes for the stages' fuzz tests: bit flips, truncations, edits of a varint
 * (Avro's length and count fields) to a huge or negative value, runs of 0xFF, inserted garbage, a changed
 * schema fingerprint, empty values. The same seed gives the same mutations.
 */
public final class RecordMutator {

    /** The kinds of mutation, in the order {@link #mutate} cycles through them. */
    public enum Kind {
        /** One to eight random bits flipped. */
        BIT_FLIPS,
        /** Cut at a random point (the header included). */
        TRUNCATION,
        /** A byte in the body replaced by a varint of a huge (up to 2^62) or negative value, as a length field. */
        HUGE_LENGTH,
        /** A run of 0xFF bytes written over the body: huge varints, NaN floats. */
        FF_RUN,
        /** Random bytes inserted in the body. */
        INSERTION,
        /** The 8-byte schema fingerprint changed: an unknown schema. */
        FINGERPRINT,
        /** Zero bytes. */
        EMPTY,
        /** Random bytes of a random length, no header. */
        RANDOM
    }

    private static final int HEADER_BYTES = 10;

    private final Random random;
    private int next;

    public RecordMutator(long seed) {
        this.random = new Random(seed);
    }

    /** The next mutation kind in turn, applied to a copy of {@code valid}. */
    public Mutation mutate(byte[] valid) {
        Kind kind = Kind.values()[next++ % Kind.values().length];
        return new Mutation(kind, apply(kind, valid));
    }

    /** One mutated record and how it was made. */
    public record Mutation(Kind kind, byte[] bytes) {
    }

    private byte[] apply(Kind kind, byte[] valid) {
        int bodyStart = Math.min(HEADER_BYTES, valid.length);
        return switch (kind) {
            case BIT_FLIPS -> {
                byte[] copy = valid.clone();
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips && copy.length > 0; i++) {
                    copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
                }
                yield copy;
            }
            case TRUNCATION -> Arrays.copyOf(valid, random.nextInt(Math.max(1, valid.length)));
            case HUGE_LENGTH -> {
                int at = bodyStart + random.nextInt(Math.max(1, valid.length - bodyStart));
                long value = random.nextBoolean() ? 1L << (20 + random.nextInt(43)) : -1 - random.nextInt(1 << 20);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(valid, 0, Math.min(at, valid.length));
                out.writeBytes(zigzagVarint(value));
                if (at + 1 < valid.length) {
                    out.write(valid, at + 1, valid.length - at - 1);
                }
                yield out.toByteArray();
            }
            case FF_RUN -> {
                byte[] copy = valid.clone();
                int at = bodyStart + random.nextInt(Math.max(1, valid.length - bodyStart));
                int run = 1 + random.nextInt(16);
                Arrays.fill(copy, Math.min(at, copy.length), Math.min(at + run, copy.length), (byte) 0xFF);
                yield copy;
            }
            case INSERTION -> {
                int at = bodyStart + random.nextInt(Math.max(1, valid.length - bodyStart + 1));
                byte[] garbage = new byte[1 + random.nextInt(32)];
                random.nextBytes(garbage);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(valid, 0, Math.min(at, valid.length));
                out.writeBytes(garbage);
                if (at < valid.length) {
                    out.write(valid, at, valid.length - at);
                }
                yield out.toByteArray();
            }
            case FINGERPRINT -> {
                byte[] copy = valid.clone();
                if (copy.length >= HEADER_BYTES) {
                    copy[2 + random.nextInt(8)] ^= (byte) (1 + random.nextInt(255));
                }
                yield copy;
            }
            case EMPTY -> new byte[0];
            case RANDOM -> {
                byte[] bytes = new byte[random.nextInt(256)];
                random.nextBytes(bytes);
                yield bytes;
            }
        };
    }

    /**
     * The header of a valid record followed by its first field, a string in each of our schemas, declaring
     * {@code length} bytes, and a few bytes of the body: a small value that asks a naive reader for a huge
     * allocation.
     */
    public static byte[] declaringFirstString(byte[] valid, long length) {
        byte[] declared = zigzagVarint(length);
        byte[] hostile = Arrays.copyOf(valid, HEADER_BYTES + declared.length + 5);
        System.arraycopy(declared, 0, hostile, HEADER_BYTES, declared.length);
        return hostile;
    }

    /** Avro's encoding of a long (zig-zag varint), as its length and count fields are written. */
    public static byte[] zigzagVarint(long value) {
        byte[] buffer = new byte[10];
        return Arrays.copyOf(buffer, BinaryData.encodeLong(value, buffer, 0));
    }
}
