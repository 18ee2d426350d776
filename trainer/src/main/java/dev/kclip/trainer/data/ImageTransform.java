package dev.kclip.trainer.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * Turns a decoded image into the student's input: {@code 3 × size × size} floats, channel-first, normalised with
 * CLIP's mean and standard deviation. For training, a random resized crop (torchvision's algorithm) and a random
 * horizontal flip first; for evaluation, a centre crop of the largest square.
 */
public final class ImageTransform {

    /** CLIP's per-channel normalisation (RGB). */
    public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private static final int CROP_ATTEMPTS = 10;

    /**
     * Training augmentation.
     *
     * @param minScale smallest share of the image area a crop keeps (torchvision: 0.08; CLIP fine-tuning ~0.9)
     * @param maxScale largest share
     * @param flipProbability chance of a horizontal flip
     */
    public record Augmentation(double minScale, double maxScale, double flipProbability) {
        public static final Augmentation DEFAULT = new Augmentation(0.6, 1.0, 0.5);
        public static final Augmentation NONE = new Augmentation(1.0, 1.0, 0.0);

        public Augmentation {
            if (minScale <= 0 || maxScale > 1 || minScale > maxScale || flipProbability < 0 || flipProbability > 1) {
                throw new IllegalArgumentException("augmentation needs 0 < minScale ≤ maxScale ≤ 1 and a flip probability in [0, 1]");
            }
        }
    }

    private final int size;
    private final Augmentation augmentation;

    public ImageTransform(int size, Augmentation augmentation) {
        this.size = size;
        this.augmentation = augmentation;
    }

    public int size() {
        return size;
    }

    /** Floats per image. */
    public int pixels() {
        return 3 * size * size;
    }

    /** Random crop and flip, then normalise into {@code out} at {@code offset}. */
    public void train(BufferedImage image, Random random, float[] out, int offset) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] crop = randomCrop(w, h, random);
        boolean flip = random.nextDouble() < augmentation.flipProbability();
        render(image, crop, flip, out, offset);
    }

    /** Centre crop of the largest square, then normalise into {@code out} at {@code offset}. */
    public void eval(BufferedImage image, float[] out, int offset) {
        int w = image.getWidth();
        int h = image.getHeight();
        int side = Math.min(w, h);
        render(image, new int[] {(w - side) / 2, (h - side) / 2, side, side}, false, out, offset);
    }

    /** {x, y, width, height} of a crop covering a random share of the area with a random aspect ratio. */
    private int[] randomCrop(int w, int h, Random random) {
        double area = (double) w * h;
        double logLow = Math.log(3.0 / 4);
        double logHigh = Math.log(4.0 / 3);
        for (int attempt = 0; attempt < CROP_ATTEMPTS; attempt++) {
            double target = area * (augmentation.minScale()
                    + random.nextDouble() * (augmentation.maxScale() - augmentation.minScale()));
            double ratio = Math.exp(logLow + random.nextDouble() * (logHigh - logLow));
            int cw = (int) Math.round(Math.sqrt(target * ratio));
            int ch = (int) Math.round(Math.sqrt(target / ratio));
            if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
                return new int[] {random.nextInt(w - cw + 1), random.nextInt(h - ch + 1), cw, ch};
            }
        }
        int side = Math.min(w, h);
        return new int[] {(w - side) / 2, (h - side) / 2, side, side};
    }

    private void render(BufferedImage image, int[] crop, boolean flip, float[] out, int offset) {
        BufferedImage target = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = target.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        int x0 = crop[0];
        int y0 = crop[1];
        int x1 = crop[0] + crop[2];
        int y1 = crop[1] + crop[3];
        if (flip) {
            g.drawImage(image, size, 0, 0, size, x0, y0, x1, y1, null);
        } else {
            g.drawImage(image, 0, 0, size, size, x0, y0, x1, y1, null);
        }
        g.dispose();
        int[] rgb = target.getRGB(0, 0, size, size, null, 0, size);
        int plane = size * size;
        for (int i = 0; i < plane; i++) {
            int p = rgb[i];
            out[offset + i] = (((p >> 16) & 0xFF) / 255f - MEAN[0]) / STD[0];
            out[offset + plane + i] = (((p >> 8) & 0xFF) / 255f - MEAN[1]) / STD[1];
            out[offset + 2 * plane + i] = ((p & 0xFF) / 255f - MEAN[2]) / STD[2];
        }
    }
}
