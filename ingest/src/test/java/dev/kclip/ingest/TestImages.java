package dev.kclip.ingest;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Real-world image variants, generated in code: progressive, CMYK and EXIF-rotated JPEGs, grey, 16-bit and
 * palette PNGs with transparency, animated GIFs, BMP, tiny WebPs, and the bad ones (decompression-bomb header,
 * truncated, text).
 */
public final class TestImages {

    /** 1x1 lossy WebP (VP8), grey. */
    public static final byte[] WEBP_LOSSY = Base64.getDecoder().decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA");
    /** 1x1 lossless WebP (VP8L), fully transparent. */
    public static final byte[] WEBP_LOSSLESS = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
    /** 1x1 extended WebP (VP8X) with an alpha channel. */
    public static final byte[] WEBP_ALPHA = Base64.getDecoder().decode(
            "UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==");

    private TestImages() {
    }

    public static BufferedImage solid(int width, int height, Color color) {
        return halves(width, height, color, color);
    }

    /** Left half {@code left}, right half {@code right}. */
    public static BufferedImage halves(int width, int height, Color left, Color right) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(left);
        g.fillRect(0, 0, width / 2, height);
        g.setColor(right);
        g.fillRect(width / 2, 0, width - width / 2, height);
        g.dispose();
        return image;
    }

    public static byte[] jpeg(BufferedImage image) {
        return jpeg(image, false);
    }

    public static byte[] jpeg(BufferedImage image, boolean progressive) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.95f);
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        return write(writer, new IIOImage(image, null, null), param);
    }

    /**
     * A CMYK JPEG as Photoshop writes them: four channels, inverted values, and an Adobe APP14 marker (transform 0)
     * saying so.
     */
    public static byte[] cmykJpeg(int width, int height, int c, int m, int y, int k) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
        int[] inverted = {255 - c, 255 - m, 255 - y, 255 - k};
        for (int row = 0; row < height; row++) {
            for (int col = 0; col < width; col++) {
                raster.setPixel(col, row, inverted);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        byte[] plain = write(writer, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        return insertAfterSoi(plain, adobe);
    }

    /** {@code jpeg} with an EXIF APP1 segment declaring {@code orientation}, big- or little-endian TIFF inside. */
    public static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean bigEndian) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4).order(bigEndian
                ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN);
        tiff.put(bigEndian ? (byte) 'M' : (byte) 'I').put(bigEndian ? (byte) 'M' : (byte) 'I').putShort((short) 42).putInt(8);
        tiff.putShort((short) 1); // one IFD entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0); // no next IFD
        byte[] exif = tiff.array();
        int length = 2 + 6 + exif.length;
        ByteBuffer app1 = ByteBuffer.allocate(2 + length);
        app1.put((byte) 0xFF).put((byte) 0xE1).putShort((short) length).put("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1)).put(exif);
        return insertAfterSoi(jpeg, app1.array());
    }

    public static byte[] png(BufferedImage image) {
        return write(ImageIO.getImageWritersByFormatName("png").next(), new IIOImage(image, null, null), null);
    }

    public static byte[] gif(BufferedImage image) {
        return write(ImageIO.getImageWritersByFormatName("gif").next(), new IIOImage(image, null, null), null);
    }

    public static byte[] bmp(BufferedImage image) {
        return write(ImageIO.getImageWritersByFormatName("bmp").next(), new IIOImage(image, null, null), null);
    }

    /** An 8-bit grey PNG, every sample {@code value}. */
    public static byte[] grayPng(int width, int height, int value) {
        BufferedImage gray = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        fill(gray.getRaster(), new int[] {value});
        return png(gray);
    }

    /** A 16-bit grey PNG, every sample {@code value16}. */
    public static byte[] gray16Png(int width, int height, int value16) {
        BufferedImage gray = new BufferedImage(width, height, BufferedImage.TYPE_USHORT_GRAY);
        fill(gray.getRaster(), new int[] {value16});
        return png(gray);
    }

    /** A 16-bit-per-channel RGBA PNG: left half opaque (r, g, b) in 16 bits, right half fully transparent. */
    public static byte[] rgba16Png(int width, int height, int r16, int g16, int b16) {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[] {16, 16, 16, 16}, true, false, Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(width, height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setPixel(x, y, new int[] {r16, g16, b16, x < width / 2 ? 65_535 : 0});
            }
        }
        return png(new BufferedImage(model, raster, false, null));
    }

    /** An RGBA PNG (8 bits, like emoji): left half opaque {@code color}, right half transparent. */
    public static byte[] rgbaPng(int width, int height, Color color) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, x < width / 2 ? color.getRGB() : 0x00FFFFFF & color.getRGB());
            }
        }
        return png(image);
    }

    /** A palette PNG with a tRNS chunk: left half a fully transparent red entry, right half opaque {@code right}. */
    public static byte[] palettePngWithAlpha(int width, int height, Color right) {
        IndexColorModel palette = new IndexColorModel(8, 2,
                new byte[] {(byte) 255, (byte) right.getRed()}, new byte[] {0, (byte) right.getGreen()},
                new byte[] {0, (byte) right.getBlue()}, new byte[] {0, (byte) 255});
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, palette);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, x < width / 2 ? 0 : 1);
            }
        }
        return png(image);
    }

    /** An animated GIF, one solid frame per colour, looping. */
    public static byte[] animatedGif(int width, int height, Color... frames) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (Color color : frames) {
                BufferedImage frame = solid(width, height, color);
                IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), null);
                String format = metadata.getNativeMetadataFormatName();
                IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
                IIOMetadataNode control = new IIOMetadataNode("GraphicControlExtension");
                control.setAttribute("disposalMethod", "none");
                control.setAttribute("userInputFlag", "FALSE");
                control.setAttribute("transparentColorFlag", "FALSE");
                control.setAttribute("delayTime", "10");
                control.setAttribute("transparentColorIndex", "0");
                root.appendChild(control);
                metadata.setFromTree(format, root);
                writer.writeToSequence(new IIOImage(frame, null, metadata), null);
            }
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * A decompression bomb: a valid PNG whose header declares {@code width} x {@code height} RGB pixels, with a
     * few bytes of (zero) image data. A decoder that trusted the header would allocate width x height x 3 bytes.
     */
    public static byte[] bombPng(int width, int height) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array());
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(new byte[64 * 1024]);
        deflater.finish();
        byte[] compressed = new byte[1024];
        int n = deflater.deflate(compressed);
        deflater.end();
        chunk(png, "IDAT", Arrays.copyOf(compressed, n));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    /** The first half of {@code bytes}. */
    public static byte[] truncated(byte[] bytes) {
        return Arrays.copyOf(bytes, bytes.length / 2);
    }

    /** What a text file renamed to {@code photo.jpg} holds. */
    public static byte[] textFile() {
        return "This is a shopping list, not a photo.\n- milk\n- eggs\n".getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes an image (for checking outputs). */
    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IllegalArgumentException("not an image ImageIO reads");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Red, green, blue of a pixel. */
    public static int[] rgb(BufferedImage image, int x, int y) {
        int rgb = image.getRGB(x, y);
        return new int[] {rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF};
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static void fill(WritableRaster raster, int[] pixel) {
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int x = 0; x < raster.getWidth(); x++) {
                raster.setPixel(x, y, pixel);
            }
        }
    }

    private static byte[] insertAfterSoi(byte[] jpeg, byte[] segment) {
        byte[] out = new byte[jpeg.length + segment.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(segment, 0, out, 2, segment.length);
        System.arraycopy(jpeg, 2, out, 2 + segment.length, jpeg.length - 2);
        return out;
    }

    private static byte[] write(ImageWriter writer, IIOImage image, ImageWriteParam param) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, image, param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
