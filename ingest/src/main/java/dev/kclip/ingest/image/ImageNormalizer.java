package dev.kclip.ingest.image;

import dev.kclip.datasets.image.DecodedImage;
import dev.kclip.datasets.image.ImageDecoder;
import dev.kclip.datasets.image.ImageRejectedException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Checks and normalises one image: decodes it with the shared {@link ImageDecoder} (format from the bytes, header
 * size checked before any decoding, EXIF rotation, transparency on white), scales the longest side down to the
 * bound, and re-encodes. Stateless and thread-safe: writers are made per call.
 */
public final class ImageNormalizer {

    private final ImageSettings settings;
    private final ImageDecoder decoder;

    public ImageNormalizer(ImageSettings settings) {
        this.settings = settings;
        this.decoder = new ImageDecoder(settings.maxPixels());
    }

    public ImageSettings settings() {
        return settings;
    }

    /**
     * Normalises {@code bytes}.
     *
     * @throws ImageRejectedException when the image is of an unsupported format, declares too many pixels, or
     *         cannot be decoded (empty, truncated, corrupt)
     */
    public NormalizedImage normalize(byte[] bytes) throws ImageRejectedException {
        DecodedImage decoded = decoder.decode(bytes, settings.maxSide());
        BufferedImage normalized = Downscale.toFit(decoded.image(), settings.maxSide());
        return new NormalizedImage(encode(normalized), settings.outputFormat().mediaType(),
                normalized.getWidth(), normalized.getHeight(), decoded.format(), decoded.header().width(),
                decoded.header().height());
    }

    private byte[] encode(BufferedImage image) {
        OutputFormat output = settings.outputFormat();
        ImageWriter writer = ImageIO.getImageWritersByFormatName(output.imageIoName()).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (output == OutputFormat.JPEG) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(settings.jpegQuality());
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a " + image.getWidth() + "x" + image.getHeight()
                    + " RGB image as " + output + ": " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
