package dev.kclip.datasets.image;

import static dev.kclip.datasets.image.Bytes.has;
import static dev.kclip.datasets.image.Bytes.u16;
import static dev.kclip.datasets.image.Bytes.u16BE;
import static dev.kclip.datasets.image.Bytes.u32;
import static dev.kclip.datasets.image.Bytes.u8;

import java.nio.charset.StandardCharsets;

/**
 * The EXIF orientation tag (0x0112) of a JPEG, and the pixel transform it asks for. Cameras store the sensor's
 * pixels as they were read and record how the camera was held; viewers, and we, rotate accordingly.
 */
public final class ExifOrientation {

    /** Orientation 1: the pixels are already upright. */
    public static final int NORMAL = 1;
    private static final int TAG_ORIENTATION = 0x0112;

    private ExifOrientation() {
    }

    /** The orientation (1 to 8) a JPEG's EXIF block declares; {@link #NORMAL} when it has none or it is unreadable. */
    public static int read(byte[] jpeg) {
        int pos = 2;
        while (has(jpeg, pos, 4) && u8(jpeg, pos) == 0xFF) {
            int marker = u8(jpeg, pos + 1);
            if (marker == 0xDA || marker == 0xD9) {
                break;
            }
            int length = u16BE(jpeg, pos + 2);
            if (length < 2) {
                break;
            }
            if (marker == 0xE1 && has(jpeg, pos + 4, 6)
                    && "Exif\0\0".equals(new String(jpeg, pos + 4, 6, StandardCharsets.ISO_8859_1))) {
                int orientation = fromTiff(jpeg, pos + 10, Math.min(jpeg.length, pos + 2 + length));
                return orientation >= 1 && orientation <= 8 ? orientation : NORMAL;
            }
            pos += 2 + length;
        }
        return NORMAL;
    }

    /** Reads tag 0x0112 from IFD0 of the TIFF structure at {@code tiff} (offsets inside are relative to it). */
    private static int fromTiff(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return NORMAL;
        }
        boolean bigEndian;
        if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            bigEndian = true;
        } else if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            bigEndian = false;
        } else {
            return NORMAL;
        }
        long ifd = tiff + u32(b, tiff + 4, bigEndian);
        if (ifd + 2 > end) {
            return NORMAL;
        }
        int entries = u16(b, (int) ifd, bigEndian);
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > end) {
                return NORMAL;
            }
            if (u16(b, entry, bigEndian) == TAG_ORIENTATION) {
                return u16(b, entry + 8, bigEndian); // type SHORT, count 1: the value sits in the first two bytes
            }
        }
        return NORMAL;
    }

    /**
     * Applies {@code orientation} to packed RGB pixels of a {@code width} x {@code height} image.
     *
     * @return the upright pixels; for orientations 5 to 8 width and height swap ({@link #swapsAxes})
     */
    public static int[] apply(int[] pixels, int width, int height, int orientation) {
        if (orientation == NORMAL) {
            return pixels;
        }
        int[] out = new int[pixels.length];
        int outWidth = swapsAxes(orientation) ? height : width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int dx;
                int dy;
                switch (orientation) {
                    case 2 -> { dx = width - 1 - x; dy = y; }              // mirror horizontally
                    case 3 -> { dx = width - 1 - x; dy = height - 1 - y; } // rotate 180
                    case 4 -> { dx = x; dy = height - 1 - y; }             // mirror vertically
                    case 5 -> { dx = y; dy = x; }                          // transpose
                    case 6 -> { dx = height - 1 - y; dy = x; }             // rotate 90 clockwise
                    case 7 -> { dx = height - 1 - y; dy = width - 1 - x; } // transverse
                    case 8 -> { dx = y; dy = width - 1 - x; }              // rotate 90 counter-clockwise
                    default -> { dx = x; dy = y; }
                }
                out[dy * outWidth + dx] = pixels[y * width + x];
            }
        }
        return out;
    }

    /** True for orientations 5 to 8, which turn the image by a quarter. */
    public static boolean swapsAxes(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }
}
