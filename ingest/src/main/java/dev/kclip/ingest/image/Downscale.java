package dev.kclip.ingest.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Shrinks an image so its longest side fits a bound, never enlarging. Halves repeatedly first, then takes one
 * last bilinear step: a single bilinear step over a large factor would skip most source pixels and alias.
 */
final class Downscale {

    private Downscale() {
    }

    /** The size {@code width} x {@code height} takes when its longest side is brought down to {@code maxSide}. */
    static int[] fittedSize(int width, int height, int maxSide) {
        int longest = Math.max(width, height);
        if (longest <= maxSide) {
            return new int[] {width, height};
        }
        double scale = maxSide / (double) longest;
        return new int[] {
            Math.max(1, Math.min(maxSide, (int) Math.round(width * scale))),
            Math.max(1, Math.min(maxSide, (int) Math.round(height * scale)))};
    }

    static BufferedImage toFit(BufferedImage image, int maxSide) {
        int[] target = fittedSize(image.getWidth(), image.getHeight(), maxSide);
        int width = image.getWidth();
        int height = image.getHeight();
        if (width == target[0] && height == target[1]) {
            return image;
        }
        BufferedImage current = image;
        while (width / 2 >= target[0] && height / 2 >= target[1]) {
            width /= 2;
            height /= 2;
            current = resize(current, width, height);
        }
        if (width != target[0] || height != target[1]) {
            current = resize(current, target[0], target[1]);
        }
        return current;
    }

    private static BufferedImage resize(BufferedImage source, int width, int height) {
        BufferedImage target = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = target.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(source, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return target;
    }
}
