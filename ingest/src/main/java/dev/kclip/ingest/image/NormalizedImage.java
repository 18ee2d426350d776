package dev.kclip.ingest.image;

import dev.kclip.datasets.image.ImageFormat;

/**
 * An image after normalisation: upright, RGB, within the size bound, re-encoded.
 *
 * @param bytes the encoded image
 * @param mediaType its MIME type
 * @param width its width in pixels
 * @param height its height in pixels
 * @param sourceFormat the format it arrived in
 * @param sourceWidth the width its header declared
 * @param sourceHeight the height its header declared
 */
public record NormalizedImage(byte[] bytes, String mediaType, int width, int height,
        ImageFormat sourceFormat, long sourceWidth, long sourceHeight) {
}
