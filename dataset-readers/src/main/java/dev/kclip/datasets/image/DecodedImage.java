package dev.kclip.datasets.image;

import java.awt.image.BufferedImage;

/**
 * An image decoded by {@link ImageDecoder}.
 *
 * @param image opaque RGB ({@code TYPE_INT_RGB}), upright (EXIF orientation applied), transparency on white
 * @param format the format the bytes were in
 * @param header the size the file declared (larger than {@code image} when it was decoded subsampled)
 */
public record DecodedImage(BufferedImage image, ImageFormat format, ImageHeader header) {
}
