package dev.kclip.datasets.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;

/**
 * Turns any decoded image into packed 8-bit RGB, transparency composited on white, giving the values PIL gives
 * ({@code Image.alpha_composite(white, im.convert("RGBA")).convert("RGB")}; see the fixture in this module's test
 * resources).
 */
final class RgbPixels {

    private static final int WHITE = 255;
    /** PIL's {@code AlphaComposite.c} works in fixed point with this many fraction bits. */
    private static final int PRECISION_BITS = 7;

    private RgbPixels() {
    }

    /** Packed {@code 0xRRGGBB} pixels, row by row. */
    static int[] onWhite(BufferedImage image) {
        ColorModel model = image.getColorModel();
        if (readsSamples(model)) {
            return samplesOnWhite(image, model);
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int[] out = new int[width * height];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            // getRGB converts through the colour model (palettes, ICC profiles) to non-premultiplied sRGB
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int argb = row[x];
                out[y * width + x] = onWhite(argb >> 16 & 0xFF, argb >> 8 & 0xFF, argb & 0xFF, argb >>> 24);
            }
        }
        return out;
    }

    /**
     * Grey and sRGB component images (not premultiplied, 8 or 16 bits or fewer) are read sample by sample, for
     * two reasons. Java's grey colour space is linear, so converting through it would brighten grey images whose
     * samples are, as in every real file, gamma-encoded (grey 12 would become 61). And a 16-bit sample converted
     * through the colour model is rounded ({@code v / 257}), where PIL keeps its high byte.
     */
    private static boolean readsSamples(ColorModel model) {
        if (!(model instanceof ComponentColorModel) || model.isAlphaPremultiplied()) {
            return false;
        }
        int transfer = model.getTransferType();
        ColorSpace space = model.getColorSpace();
        return (transfer == DataBuffer.TYPE_BYTE || transfer == DataBuffer.TYPE_USHORT)
                && (space.getType() == ColorSpace.TYPE_GRAY || space.isCS_sRGB());
    }

    private static int[] samplesOnWhite(BufferedImage image, ColorModel model) {
        int width = image.getWidth();
        int height = image.getHeight();
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        int colours = model.getNumColorComponents();
        boolean hasAlpha = model.hasAlpha() && bands > colours;
        int colourBits = model.getComponentSize(0);
        int alphaBits = hasAlpha ? model.getComponentSize(bands - 1) : 8;
        int[] out = new int[width * height];
        int[] row = new int[width * bands];
        for (int y = 0; y < height; y++) {
            raster.getPixels(0, y, width, 1, row);
            for (int x = 0; x < width; x++) {
                int at = x * bands;
                int r = to8Bits(row[at], colourBits);
                int g = colours == 3 ? to8Bits(row[at + 1], colourBits) : r;
                int b = colours == 3 ? to8Bits(row[at + 2], colourBits) : r;
                int alpha = hasAlpha ? to8Bits(row[at + bands - 1], alphaBits) : WHITE;
                out[y * width + x] = onWhite(r, g, b, alpha);
            }
        }
        return out;
    }

    /** 16-bit samples keep their high byte (as PIL reads them); 1, 2 and 4-bit ones are stretched to 0..255. */
    private static int to8Bits(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        return bits > 8 ? sample >> (bits - 8) : sample * WHITE / ((1 << bits) - 1);
    }

    private static int onWhite(int r, int g, int b, int alpha) {
        if (alpha == WHITE) {
            return r << 16 | g << 8 | b;
        }
        return blend(r, alpha) << 16 | blend(g, alpha) << 8 | blend(b, alpha);
    }

    /**
     * {@code channel} with coverage {@code alpha} over opaque white, in PIL's integer arithmetic
     * ({@code ImagingAlphaComposite}) so that the result matches it exactly.
     */
    private static int blend(int channel, int alpha) {
        int coverage = alpha << PRECISION_BITS;
        int rest = (WHITE << PRECISION_BITS) - coverage;
        return shiftForDiv255(channel * coverage + WHITE * rest + (0x80 << PRECISION_BITS)) >> PRECISION_BITS;
    }

    private static int shiftForDiv255(int a) {
        return ((a >> 8) + a) >> 8;
    }

    /** An RGB image over {@code pixels}. */
    static BufferedImage toImage(int[] pixels, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, pixels, 0, width);
        return image;
    }
}
