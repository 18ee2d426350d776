package dev.kclip.datasets.image;

/** Little helpers for reading integers out of file headers; callers check bounds first. */
final class Bytes {

    private Bytes() {
    }

    static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    static int u16LE(byte[] b, int i) {
        return u8(b, i) | u8(b, i + 1) << 8;
    }

    static int u16BE(byte[] b, int i) {
        return u8(b, i) << 8 | u8(b, i + 1);
    }

    static int u24LE(byte[] b, int i) {
        return u16LE(b, i) | u8(b, i + 2) << 16;
    }

    static int int32LE(byte[] b, int i) {
        return u16LE(b, i) | u16LE(b, i + 2) << 16;
    }

    static long u32BE(byte[] b, int i) {
        return ((long) u16BE(b, i) << 16) | u16BE(b, i + 2);
    }

    static int u16(byte[] b, int i, boolean bigEndian) {
        return bigEndian ? u16BE(b, i) : u16LE(b, i);
    }

    static long u32(byte[] b, int i, boolean bigEndian) {
        return bigEndian ? u32BE(b, i) : (int32LE(b, i) & 0xFFFFFFFFL);
    }

    static boolean has(byte[] b, int offset, int length) {
        return offset >= 0 && length >= 0 && offset <= b.length - length;
    }
}
