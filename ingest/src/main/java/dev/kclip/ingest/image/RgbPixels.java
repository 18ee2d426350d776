package dev.kclip.ingest.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** Turns any decoded image into packed 8-bit RGB, transparency composited on white. */
final class RgbPixels {

    private static final int WHITE = 255;

    private RgbPixels() {
    }

    /** Packed {@code 0xRRGGBB} pixels, row by row. */
    static int[] onWhite(BufferedImage image) {
        ColorModel model = image.getColorModel();
        if (model.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(model instanceof IndexColorModel)) {
            return grayOnWhite(image, model);
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int[] out = new int[width * height];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            // getRGB converts through the colour model (palettes, 16-bit, ICC profiles) to non-premultiplied sRGB
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int argb = row[x];
                int alpha = argb >>> 24;
                out[y * width + x] = alpha == 0xFF ? argb & 0xFFFFFF
                        : blend(argb >> 16 & 0xFF, alpha) << 16 | blend(argb >> 8 & 0xFF, alpha) << 8 | blend(argb & 0xFF, alpha);
            }
        }
        return out;
    }

    /**
     * Grey images are read sample by sample: Java's grey colour space is linear, so converting through it would
     * brighten images whose samples are, as in every real file, gamma-encoded.
     */
    private static int[] grayOnWhite(BufferedImage image, ColorModel model) {
        int width = image.getWidth();
        int height = image.getHeight();
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        boolean hasAlpha = model.hasAlpha() && bands > 1;
        boolean premultiplied = model.isAlphaPremultiplied();
        int maxGray = (1 << model.getComponentSize(0)) - 1;
        int maxAlpha = hasAlpha ? (1 << model.getComponentSize(bands - 1)) - 1 : 1;
        int[] out = new int[width * height];
        int[] row = new int[width * bands];
        for (int y = 0; y < height; y++) {
            raster.getPixels(0, y, width, 1, row);
            for (int x = 0; x < width; x++) {
                int gray = scale(row[x * bands], maxGray);
                if (hasAlpha) {
                    int alpha = scale(row[x * bands + bands - 1], maxAlpha);
                    gray = premultiplied ? Math.min(WHITE, gray + WHITE - alpha) : blend(gray, alpha);
                }
                out[y * width + x] = gray << 16 | gray << 8 | gray;
            }
        }
        return out;
    }

    /** An RGB image over {@code pixels}. */
    static BufferedImage toImage(int[] pixels, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, pixels, 0, width);
        return image;
    }

    private static int scale(int sample, int max) {
        return max == WHITE ? sample : (int) ((sample * 255L + max / 2) / max);
    }

    /** {@code channel} over white with coverage {@code alpha} (both 0..255). */
    private static int blend(int channel, int alpha) {
        return (channel * alpha + WHITE * (255 - alpha) + 127) / 255;
    }
}
