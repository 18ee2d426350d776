package dev.kclip.ingest.image;

import dev.kclip.ingest.image.ImageRejectedException.Problem;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Checks and normalises one image: recognise the format from its bytes, refuse what its header declares too
 * large (before any decoding), decode (progressive/CMYK JPEG, EXIF rotation, grey, 16-bit and palette PNG,
 * animated GIF's first frame, BMP, WebP), composite transparency on white, scale the longest side down to the
 * bound, and re-encode. Stateless and thread-safe: readers and writers are made per call.
 */
public final class ImageNormalizer {

    static {
        // Servers have no display; AWT must never try to open one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private final ImageSettings settings;

    public ImageNormalizer(ImageSettings settings) {
        this.settings = settings;
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
        if (bytes == null || bytes.length == 0) {
            throw new ImageRejectedException(Problem.UNDECODABLE, "image is empty (0 bytes)");
        }
        ImageFormat format = ImageFormat.sniff(bytes).orElseThrow(() -> new ImageRejectedException(
                Problem.UNSUPPORTED_FORMAT, "image bytes are " + ImageFormat.describeUnknown(bytes)));
        if (!format.readable()) {
            throw new ImageRejectedException(Problem.UNSUPPORTED_FORMAT, "no " + format + " reader is installed");
        }
        ImageHeader header = ImageHeader.read(bytes, format);
        if (header.pixels() > settings.maxPixels()) {
            throw new ImageRejectedException(Problem.TOO_LARGE, String.format(Locale.ROOT,
                    "%s declares %d x %d = %,d pixels, more than the %,d allowed",
                    format, header.width(), header.height(), header.pixels(), settings.maxPixels()));
        }
        BufferedImage decoded = decode(bytes, format, header);
        int width = decoded.getWidth();
        int height = decoded.getHeight();
        int orientation = format == ImageFormat.JPEG ? ExifOrientation.read(bytes) : ExifOrientation.NORMAL;
        int[] rgb;
        try {
            rgb = RgbPixels.onWhite(decoded);
        } catch (RuntimeException e) {
            // an exotic colour model the JDK cannot convert
            throw new ImageRejectedException(Problem.UNDECODABLE, "cannot convert " + format + " pixels to RGB: "
                    + describe(e), e);
        }
        int[] pixels = ExifOrientation.apply(rgb, width, height, orientation);
        if (ExifOrientation.swapsAxes(orientation)) {
            int swap = width;
            width = height;
            height = swap;
        }
        BufferedImage normalized = Downscale.toFit(RgbPixels.toImage(pixels, width, height), settings.maxSide());
        return new NormalizedImage(encode(normalized), settings.outputFormat().mediaType(),
                normalized.getWidth(), normalized.getHeight(), format, header.width(), header.height());
    }

    private BufferedImage decode(byte[] bytes, ImageFormat format, ImageHeader header) throws ImageRejectedException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
        ImageReader reader = readers.next();
        List<String> truncation = new ArrayList<>();
        // Decoders fill a cut-off JPEG with grey and only warn; such an image is not the one that was sent.
        reader.addIIOReadWarningListener((source, warning) -> {
            String lower = warning.toLowerCase(Locale.ROOT);
            if (lower.contains("truncated") || lower.contains("premature end")) {
                truncation.add(warning);
            }
        });
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, false, false);
            ImageReadParam param = reader.getDefaultReadParam();
            // Decode large images at a fraction of their resolution: at most twice the output size is needed.
            int step = (int) Math.max(1, Math.max(header.width(), header.height()) / (2L * settings.maxSide()));
            if (step > 1) {
                param.setSourceSubsampling(step, step, 0, 0);
            }
            BufferedImage image = reader.read(0, param);
            if (!truncation.isEmpty()) {
                throw new ImageRejectedException(Problem.UNDECODABLE, format + " image is truncated ("
                        + truncation.get(0) + ")");
            }
            return image;
        } catch (IOException | RuntimeException e) {
            // Decoders signal corrupt data with IOExceptions and, for some inputs, with runtime exceptions.
            throw new ImageRejectedException(Problem.UNDECODABLE, "cannot decode " + format + ": " + describe(e), e);
        } finally {
            reader.dispose();
        }
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

    private static String describe(Throwable e) {
        Throwable shown = e;
        while (shown.getCause() != null && shown.getCause() != shown
                && (shown.getMessage() == null || shown.getMessage().isBlank())) {
            shown = shown.getCause();
        }
        String message = shown.getMessage();
        return message == null || message.isBlank() ? shown.getClass().getSimpleName() : message;
    }
}
