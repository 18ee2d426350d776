package dev.kclip.datasets.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import javax.imageio.ImageIO;

/** The image formats the decoder reads, recognised by their leading bytes (never by a file name or a declared type). */
public enum ImageFormat {
    JPEG("image/jpeg", "jpeg"),
    PNG("image/png", "png"),
    GIF("image/gif", "gif"),
    BMP("image/bmp", "bmp"),
    WEBP("image/webp", "webp");

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    /** Sizes of the BMP info headers that exist (core, v1 to v5, OS/2 2.x). */
    private static final int[] BMP_INFO_HEADER_SIZES = {12, 16, 40, 52, 56, 64, 108, 124};

    private final String mediaType;
    private final String imageIoName;

    ImageFormat(String mediaType, String imageIoName) {
        this.mediaType = mediaType;
        this.imageIoName = imageIoName;
    }

    /** The MIME type, e.g. {@code image/jpeg}. */
    public String mediaType() {
        return mediaType;
    }

    /** Whether an ImageIO reader for this format is on the classpath (WebP needs the TwelveMonkeys plugin). */
    public boolean readable() {
        return ImageIO.getImageReadersByFormatName(imageIoName).hasNext();
    }

    String imageIoName() {
        return imageIoName;
    }

    /** The format whose signature {@code bytes} start with, if any. */
    public static Optional<ImageFormat> sniff(byte[] bytes) {
        if (startsWith(bytes, 0, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})) {
            return Optional.of(JPEG);
        }
        if (startsWith(bytes, 0, PNG_SIGNATURE)) {
            return Optional.of(PNG);
        }
        if (startsWith(bytes, 0, ascii("GIF87a")) || startsWith(bytes, 0, ascii("GIF89a"))) {
            return Optional.of(GIF);
        }
        if (startsWith(bytes, 0, ascii("RIFF")) && startsWith(bytes, 8, ascii("WEBP"))) {
            return Optional.of(WEBP);
        }
        if (startsWith(bytes, 0, ascii("BM")) && bytes.length >= 18
                && Arrays.stream(BMP_INFO_HEADER_SIZES).anyMatch(size -> size == Bytes.int32LE(bytes, 14))) {
            return Optional.of(BMP);
        }
        return Optional.empty();
    }

    /** A few words on what unrecognised bytes look like, for a dead letter's message. */
    public static String describeUnknown(byte[] bytes) {
        if (startsWith(bytes, 0, ascii("II*\0")) || startsWith(bytes, 0, ascii("MM\0*"))) {
            return "a TIFF image, which is not supported";
        }
        if (startsWith(bytes, 4, ascii("ftyp"))) {
            return "an ISO media file (HEIF/AVIF/MP4), which is not supported";
        }
        if (looksLikeText(bytes)) {
            return "text, not an image";
        }
        return "not a JPEG, PNG, GIF, BMP or WebP image";
    }

    private static boolean looksLikeText(byte[] bytes) {
        int n = Math.min(bytes.length, 512);
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xFF;
            if (b < 0x09 || (b > 0x0D && b < 0x20) || b == 0x7F) {
                return false;
            }
        }
        return n > 0;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
        if (bytes.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
