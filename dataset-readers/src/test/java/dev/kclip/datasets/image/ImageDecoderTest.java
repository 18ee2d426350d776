package dev.kclip.datasets.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kclip.datasets.image.ImageRejectedException.Problem;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoder gives, for every PNG colour type and for JPEG, the RGB PIL gives over white. The images and PIL's
 * pixels are made by {@code png-colour-types/make_fixture.py} (see its README).
 */
class ImageDecoderTest {

    private static final ImageDecoder DECODER = new ImageDecoder();

    @ParameterizedTest
    @ValueSource(strings = {"grey8", "grey16", "grey-alpha", "rgb", "rgba", "rgb16", "rgba16", "palette", "palette-trns"})
    void everyPngColourTypeDecodesToPilsPixelsExactly(String name) throws ImageRejectedException {
        assertPixels(name, DECODER.decode(resource(name + ".png")).image(), resource(name + ".rgb"), 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg-rgb", "jpeg-grey"})
    void jpegsDecodeToPilsPixelsWithinOne(String name) throws ImageRejectedException {
        assertPixels(name, DECODER.decode(resource(name + ".jpg")).image(), resource(name + ".rgb"), 1);
    }

    /** Grey+alpha emoji (hearts, silhouettes, bubbles) once came out brightened, as if linear grey were sRGB. */
    @ParameterizedTest
    @ValueSource(strings = {"1f5a4", "1f4ad", "1f46a"})
    void greyWithAlphaEmojiDecodeAsPilDecodesThem(String name) throws ImageRejectedException, IOException {
        byte[] png = Files.readAllBytes(Path.of("../datasets/emoji-64/images", name + ".png"));
        assertPixels(name, DECODER.decode(png).image(), resource("emoji-" + name + ".rgb"), 0);
    }

    @Test
    void greyIsNotBrightened() throws ImageRejectedException {
        BufferedImage grey = DECODER.decode(resource("grey8.png")).image();
        assertEquals(0x0C0C0C, grey.getRGB(0, 0) & 0xFFFFFF, "grey 12 stays 12");
        assertEquals(0x303030, grey.getRGB(1, 0) & 0xFFFFFF, "grey 48 stays 48");
    }

    @Test
    void aHeaderDeclaringTooManyPixelsIsRefusedBeforeDecoding() {
        byte[] bomb = ByteBuffer.allocate(33).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
                .putInt(13).put(new byte[] {'I', 'H', 'D', 'R'}).putInt(100_000).putInt(100_000)
                .put(new byte[] {8, 6, 0, 0, 0}).array();
        ImageRejectedException e = assertThrows(ImageRejectedException.class, () -> DECODER.decode(bomb));
        assertEquals(Problem.TOO_LARGE, e.problem());
        assertEquals(Problem.TOO_LARGE, assertThrows(ImageRejectedException.class,
                () -> new ImageDecoder(34).decode(resource("grey8.png"))).problem(), "7 x 5 = 35 pixels, 34 allowed");
    }

    @Test
    void bytesThatAreNoImageAreRefused() {
        assertEquals(Problem.UNSUPPORTED_FORMAT, assertThrows(ImageRejectedException.class,
                () -> DECODER.decode(new byte[] {1, 2, 3})).problem());
        assertEquals(Problem.UNDECODABLE, assertThrows(ImageRejectedException.class,
                () -> DECODER.decode(new byte[0])).problem());
        byte[] png = resource("rgb.png");
        byte[] truncated = Arrays.copyOf(png, png.length - 40);
        assertEquals(Problem.UNDECODABLE, assertThrows(ImageRejectedException.class,
                () -> DECODER.decode(truncated)).problem());
    }

    private static void assertPixels(String name, BufferedImage image, byte[] expected, int tolerance) {
        int width = image.getWidth();
        int height = image.getHeight();
        assertEquals(expected.length, width * height * 3, name + ": size");
        assertEquals(BufferedImage.TYPE_INT_RGB, image.getType(), name + ": opaque RGB");
        int worst = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = image.getRGB(x, y);
                int at = (y * width + x) * 3;
                int[] got = {rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF};
                for (int c = 0; c < 3; c++) {
                    int diff = Math.abs(got[c] - (expected[at + c] & 0xFF));
                    if (diff > tolerance) {
                        fail(String.format("%s pixel (%d, %d) channel %d: PIL gives %d, decoded %d", name, x, y, c,
                                expected[at + c] & 0xFF, got[c]));
                    }
                    worst = Math.max(worst, diff);
                }
            }
        }
        assertTrue(worst <= tolerance, name);
    }

    private static byte[] resource(String name) {
        try (InputStream in = ImageDecoderTest.class.getResourceAsStream("/png-colour-types/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource png-colour-types/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
