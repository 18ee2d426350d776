package dev.kclip.datasets.image;

import dev.kclip.datasets.image.ImageRejectedException.Problem;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The one way untrusted image bytes become pixels, for ingest and the trainer alike: recognise the format from the
 * bytes, refuse what the header declares too large before anything is decoded (a decompression bomb), decode
 * (progressive/CMYK JPEG, grey, 16-bit and palette PNG, animated GIF's first frame, BMP, WebP), refuse truncated
 * images, apply the EXIF orientation, and composite transparency on white as PIL does. Thread-safe: a reader is
 * made per call.
 */
public final class ImageDecoder {

    /** The most pixels an image may declare unless told otherwise: 50 million. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    static {
        // Servers have no display; AWT must never try to open one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        ImageIO.setUseCache(false);
    }

    private final long maxPixels;

    /** @param maxPixels the most pixels (width x height) an image may declare; more is refused before decoding */
    public ImageDecoder(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maximum pixel count must be positive, not " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /** A decoder allowing {@link #DEFAULT_MAX_PIXELS}. */
    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes {@code bytes} at full resolution.
     *
     * @throws ImageRejectedException when the image is of an unsupported format, declares too many pixels, or
     *         cannot be decoded (empty, truncated, corrupt)
     */
    public DecodedImage decode(byte[] bytes) throws ImageRejectedException {
        return decode(bytes, 0);
    }

    /**
     * Decodes {@code bytes}, a large image at a fraction of its resolution: at least twice {@code fitSide} on its
     * longest side is kept (enough to scale down to {@code fitSide} well); {@code fitSide} 0 keeps every pixel.
     *
     * @throws ImageRejectedException as {@link #decode(byte[])}
     */
    public DecodedImage decode(byte[] bytes, int fitSide) throws ImageRejectedException {
        if (bytes == null || bytes.length == 0) {
            throw new ImageRejectedException(Problem.UNDECODABLE, "image is empty (0 bytes)");
        }
        ImageFormat format = ImageFormat.sniff(bytes).orElseThrow(() -> new ImageRejectedException(
                Problem.UNSUPPORTED_FORMAT, "image bytes are " + ImageFormat.describeUnknown(bytes)));
        if (!format.readable()) {
            throw new ImageRejectedException(Problem.UNSUPPORTED_FORMAT, "no " + format + " reader is installed");
        }
        ImageHeader header = ImageHeader.read(bytes, format);
        if (header.pixels() > maxPixels) {
            throw new ImageRejectedException(Problem.TOO_LARGE, String.format(Locale.ROOT,
                    "%s declares %d x %d = %,d pixels, more than the %,d allowed",
                    format, header.width(), header.height(), header.pixels(), maxPixels));
        }
        int step = fitSide <= 0 ? 1 : (int) Math.max(1, Math.max(header.width(), header.height()) / (2L * fitSide));
        BufferedImage decoded = read(bytes, format, step);
        int width = decoded.getWidth();
        int height = decoded.getHeight();
        int[] rgb;
        try {
            rgb = RgbPixels.onWhite(decoded);
        } catch (RuntimeException e) {
            // an exotic colour model the JDK cannot convert
            throw new ImageRejectedException(Problem.UNDECODABLE, "cannot convert " + format + " pixels to RGB: "
                    + describe(e), e);
        }
        int orientation = format == ImageFormat.JPEG ? ExifOrientation.read(bytes) : ExifOrientation.NORMAL;
        int[] pixels = ExifOrientation.apply(rgb, width, height, orientation);
        if (ExifOrientation.swapsAxes(orientation)) {
            int swap = width;
            width = height;
            height = swap;
        }
        return new DecodedImage(RgbPixels.toImage(pixels, width, height), format, header);
    }

    private static BufferedImage read(byte[] bytes, ImageFormat format, int step) throws ImageRejectedException {
        ImageReader reader = ImageIO.getImageReadersByFormatName(format.imageIoName()).next();
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
            if (step > 1) {
                param.setSourceSubsampling(step, step, 0, 0);
            }
            BufferedImage image = reader.read(0, param);
            if (!truncation.isEmpty()) {
                throw new ImageRejectedException(Problem.UNDECODABLE, format + " image is truncated ("
                        + truncation.get(0) + ")");
            }
            if (image.getWidth() < 1 || image.getHeight() < 1) {
                throw new ImageRejectedException(Problem.UNDECODABLE, format + " image has no pixels");
            }
            return image;
        } catch (IOException | RuntimeException e) {
            // Decoders signal corrupt data with IOExceptions and, for some inputs, with runtime exceptions.
            throw new ImageRejectedException(Problem.UNDECODABLE, "cannot decode " + format + ": " + describe(e), e);
        } finally {
            reader.dispose();
        }
    }

    /** The most useful message of {@code e} or its causes, for a dead letter. */
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
