package dev.kclip.datasets.image;

import static dev.kclip.datasets.image.Bytes.has;
import static dev.kclip.datasets.image.Bytes.int32LE;
import static dev.kclip.datasets.image.Bytes.u16BE;
import static dev.kclip.datasets.image.Bytes.u16LE;
import static dev.kclip.datasets.image.Bytes.u24LE;
import static dev.kclip.datasets.image.Bytes.u32BE;
import static dev.kclip.datasets.image.Bytes.u8;

import dev.kclip.datasets.image.ImageRejectedException.Problem;
import java.nio.charset.StandardCharsets;

/**
 * The width and height an image declares in its header, read by hand without decoding anything, so that a
 * decompression bomb (a few kilobytes declaring billions of pixels) is refused before any pixel memory is
 * allocated.
 *
 * @param width declared width in pixels
 * @param height declared height in pixels
 */
public record ImageHeader(long width, long height) {

    /** Declared pixel count. */
    public long pixels() {
        return width * height;
    }

    /**
     * Reads the declared size of an image of {@code format}.
     *
     * @throws ImageRejectedException ({@link Problem#UNDECODABLE}) when the header is missing or inconsistent
     */
    public static ImageHeader read(byte[] bytes, ImageFormat format) throws ImageRejectedException {
        ImageHeader header = switch (format) {
            case PNG -> png(bytes);
            case GIF -> gif(bytes);
            case BMP -> bmp(bytes);
            case JPEG -> jpeg(bytes);
            case WEBP -> webp(bytes);
        };
        if (header.width <= 0 || header.height <= 0) {
            throw undecodable(format + " header declares " + header.width + " x " + header.height + " pixels");
        }
        return header;
    }

    private static ImageHeader png(byte[] b) throws ImageRejectedException {
        // signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), all big-endian
        if (!has(b, 12, 12) || !"IHDR".equals(new String(b, 12, 4, StandardCharsets.US_ASCII))) {
            throw undecodable("PNG has no IHDR header");
        }
        return new ImageHeader(u32BE(b, 16), u32BE(b, 20));
    }

    private static ImageHeader gif(byte[] b) throws ImageRejectedException {
        if (!has(b, 0, 13)) {
            throw undecodable("GIF header is truncated");
        }
        long screenWidth = u16LE(b, 6);
        long screenHeight = u16LE(b, 8);
        int flags = u8(b, 10);
        int pos = 13 + ((flags & 0x80) != 0 ? 3 * (1 << ((flags & 7) + 1)) : 0);
        // The first frame may declare a larger size than the logical screen; the decoder allocates the frame's.
        while (has(b, pos, 1)) {
            int block = u8(b, pos);
            if (block == 0x2C) {
                if (!has(b, pos, 10)) {
                    break;
                }
                return new ImageHeader(Math.max(screenWidth, u16LE(b, pos + 5)), Math.max(screenHeight, u16LE(b, pos + 7)));
            } else if (block == 0x21) {
                pos += 2;
                while (has(b, pos, 1) && u8(b, pos) != 0) {
                    pos += 1 + u8(b, pos);
                }
                pos++;
            } else {
                break;
            }
        }
        throw undecodable("GIF has no image frame");
    }

    private static ImageHeader bmp(byte[] b) throws ImageRejectedException {
        if (!has(b, 0, 26)) {
            throw undecodable("BMP header is truncated");
        }
        if (int32LE(b, 14) == 12) {
            return new ImageHeader(u16LE(b, 18), u16LE(b, 20));
        }
        // height is negative for top-down bitmaps
        return new ImageHeader(int32LE(b, 18), Math.abs((long) int32LE(b, 22)));
    }

    private static ImageHeader jpeg(byte[] b) throws ImageRejectedException {
        int pos = 2;
        while (has(b, pos, 2)) {
            if (u8(b, pos) != 0xFF) {
                throw undecodable("JPEG marker expected at byte " + pos);
            }
            int marker = u8(b, pos + 1);
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            pos += 2;
            if (marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // markers without a length
            }
            if (marker == 0xD9 || marker == 0xDA) {
                break; // end of image, or scan data, before any frame header
            }
            if (!has(b, pos, 2)) {
                break;
            }
            int length = u16BE(b, pos);
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                if (!has(b, pos, 7)) {
                    break;
                }
                return new ImageHeader(u16BE(b, pos + 5), u16BE(b, pos + 3));
            }
            if (length < 2) {
                throw undecodable("JPEG segment at byte " + pos + " has length " + length);
            }
            pos += length;
        }
        throw undecodable("JPEG has no frame header (truncated?)");
    }

    private static ImageHeader webp(byte[] b) throws ImageRejectedException {
        if (!has(b, 12, 8)) {
            throw undecodable("WebP header is truncated");
        }
        String chunk = new String(b, 12, 4, StandardCharsets.US_ASCII);
        int data = 20;
        switch (chunk) {
            case "VP8 ":
                if (has(b, data, 10) && u8(b, data + 3) == 0x9D && u8(b, data + 4) == 0x01 && u8(b, data + 5) == 0x2A) {
                    return new ImageHeader(u16LE(b, data + 6) & 0x3FFF, u16LE(b, data + 8) & 0x3FFF);
                }
                break;
            case "VP8L":
                if (has(b, data, 5) && u8(b, data) == 0x2F) {
                    long bits = int32LE(b, data + 1) & 0xFFFFFFFFL;
                    return new ImageHeader((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
                }
                break;
            case "VP8X":
                if (has(b, data, 10)) {
                    return new ImageHeader(u24LE(b, data + 4) + 1L, u24LE(b, data + 7) + 1L);
                }
                break;
            default:
                break;
        }
        throw undecodable("WebP has no readable VP8/VP8L/VP8X header");
    }

    private static ImageRejectedException undecodable(String message) {
        return new ImageRejectedException(Problem.UNDECODABLE, message);
    }
}
