package dev.kclip.ingest.image;

import dev.kclip.datasets.image.ImageDecoder;

/**
 * How images are checked and normalised.
 *
 * @param maxSide longest side of a normalised image in pixels; larger images are scaled down, smaller ones kept
 * @param maxPixels most pixels (width x height) an image may declare; more is refused before decoding
 * @param outputFormat the encoding of normalised images
 * @param jpegQuality JPEG quality in (0, 1], used when {@code outputFormat} is JPEG
 */
public record ImageSettings(int maxSide, long maxPixels, OutputFormat outputFormat, float jpegQuality) {

    /** 256 px longest side, 50 million pixels at most, JPEG quality 0.90. */
    public static final ImageSettings DEFAULTS = new ImageSettings(256, ImageDecoder.DEFAULT_MAX_PIXELS, OutputFormat.JPEG, 0.90f);

    public ImageSettings {
        if (maxSide < 1) {
            throw new IllegalArgumentException("maximum image side must be at least 1 pixel, not " + maxSide);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maximum pixel count must be positive, not " + maxPixels);
        }
        if (outputFormat == null) {
            throw new IllegalArgumentException("output format is required (jpeg or png)");
        }
        if (!(jpegQuality > 0f && jpegQuality <= 1f)) {
            throw new IllegalArgumentException("JPEG quality must be in (0, 1], not " + jpegQuality);
        }
    }
}
