package dev.kclip.trainer.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** Decodes image bytes (JPEG, PNG and whatever else ImageIO reads) into opaque RGB. */
public final class ImageDecoding {

    static {
        ImageIO.setUseCache(false);
    }

    private ImageDecoding() {
    }

    /**
     * Decodes {@code bytes}; transparent pixels are composited over white (emoji and icons are drawn on a
     * transparent background).
     *
     * @param id the pair id, for the error
     * @throws InvalidExampleException {@code UNDECODABLE_IMAGE} when the bytes are not a readable image
     */
    public static BufferedImage decode(byte[] bytes, String id) throws InvalidExampleException {
        BufferedImage source;
        try {
            source = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new InvalidExampleException(InvalidExampleException.UNDECODABLE_IMAGE,
                    "image of " + bytes.length + " bytes cannot be decoded: " + e.getMessage(), id);
        }
        if (source == null || source.getWidth() < 1 || source.getHeight() < 1) {
            throw new InvalidExampleException(InvalidExampleException.UNDECODABLE_IMAGE,
                    "image of " + bytes.length + " bytes is in no format ImageIO reads", id);
        }
        if (source.getType() == BufferedImage.TYPE_INT_RGB) {
            return source;
        }
        BufferedImage rgb = new BufferedImage(source.getWidth(), source.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
        g.drawImage(source, 0, 0, null);
        g.dispose();
        return rgb;
    }
}
