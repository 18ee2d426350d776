package dev.kclip.ingest.image;

import static dev.kclip.ingest.TestImages.rgb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.datasets.image.ImageFormat;
import dev.kclip.datasets.image.ImageRejectedException;
import dev.kclip.datasets.image.ImageRejectedException.Problem;
import dev.kclip.ingest.TestImages;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class ImageNormalizerTest {

    private final ImageNormalizer normalizer = new ImageNormalizer(ImageSettings.DEFAULTS);

    @Test
    void rgbaPngIsCompositedOnWhiteAndReencodedAsJpeg() throws Exception {
        NormalizedImage out = normalizer.normalize(TestImages.rgbaPng(64, 64, new Color(200, 30, 40)));

        assertEquals("image/jpeg", out.mediaType());
        assertEquals(ImageFormat.PNG, out.sourceFormat());
        assertEquals(64, out.width());
        assertEquals(64, out.height());
        BufferedImage image = TestImages.decode(out.bytes());
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, image.getType(), "re-encoded JPEG is three-channel RGB");
        assertColor(new int[] {200, 30, 40}, rgb(image, 10, 32), 6);
        assertColor(new int[] {255, 255, 255}, rgb(image, 54, 32), 3);
    }

    @Test
    void progressiveJpegDecodes() throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.solid(80, 60, new Color(20, 180, 60)), true);
        assertTrue(containsMarker(jpeg, 0xC2), "the test image is progressive (SOF2)");

        NormalizedImage out = normalizer.normalize(jpeg);

        assertEquals(80, out.width());
        assertEquals(60, out.height());
        assertColor(new int[] {20, 180, 60}, rgb(TestImages.decode(out.bytes()), 40, 30), 6);
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws Exception {
        // pure magenta + yellow ink, no cyan or black: red
        NormalizedImage out = normalizer.normalize(TestImages.cmykJpeg(48, 32, 0, 255, 255, 0));

        assertEquals(48, out.width());
        int[] pixel = rgb(TestImages.decode(out.bytes()), 24, 16);
        assertTrue(pixel[0] > 200 && pixel[1] < 80 && pixel[2] < 80, "CMYK 0/100/100/0 should be red, got "
                + java.util.Arrays.toString(pixel));
    }

    @Test
    void exifOrientationSixIsRotatedClockwise() throws Exception {
        byte[] jpeg = TestImages.withExifOrientation(
                TestImages.jpeg(TestImages.halves(40, 20, Color.RED, Color.BLUE)), 6, true);

        NormalizedImage out = normalizer.normalize(jpeg);

        assertEquals(20, out.width(), "a quarter turn swaps width and height");
        assertEquals(40, out.height());
        BufferedImage image = TestImages.decode(out.bytes());
        assertColor(new int[] {255, 0, 0}, rgb(image, 10, 5), 40); // the left (red) half is now on top
        assertColor(new int[] {0, 0, 255}, rgb(image, 10, 35), 40);
    }

    @Test
    void exifOrientationsThreeAndEightInLittleEndianExif() throws Exception {
        byte[] base = TestImages.jpeg(TestImages.halves(40, 20, Color.RED, Color.BLUE));

        BufferedImage upsideDown = TestImages.decode(normalizer.normalize(TestImages.withExifOrientation(base, 3, false)).bytes());
        assertEquals(40, upsideDown.getWidth());
        assertColor(new int[] {0, 0, 255}, rgb(upsideDown, 5, 10), 40);
        assertColor(new int[] {255, 0, 0}, rgb(upsideDown, 35, 10), 40);

        BufferedImage counterClockwise = TestImages.decode(normalizer.normalize(TestImages.withExifOrientation(base, 8, false)).bytes());
        assertEquals(20, counterClockwise.getWidth());
        assertEquals(40, counterClockwise.getHeight());
        assertColor(new int[] {0, 0, 255}, rgb(counterClockwise, 10, 5), 40);
        assertColor(new int[] {255, 0, 0}, rgb(counterClockwise, 10, 35), 40);
    }

    @Test
    void grayscaleKeepsItsValuesInsteadOfBrighteningThem() throws Exception {
        assertColor(new int[] {100, 100, 100}, rgb(TestImages.decode(normalizer.normalize(TestImages.grayPng(16, 16, 100)).bytes()), 8, 8), 2);
        assertColor(new int[] {100, 100, 100}, rgb(TestImages.decode(normalizer.normalize(TestImages.gray16Png(16, 16, 100 * 257)).bytes()), 8, 8), 2);
    }

    @Test
    void sixteenBitRgbaPngIsReducedAndComposited() throws Exception {
        NormalizedImage out = normalizer.normalize(TestImages.rgba16Png(32, 16, 65_535, 32_768, 0));

        BufferedImage image = TestImages.decode(out.bytes());
        assertColor(new int[] {255, 128, 0}, rgb(image, 4, 8), 6);
        assertColor(new int[] {255, 255, 255}, rgb(image, 28, 8), 3);
    }

    @Test
    void palettePngTransparencyBecomesWhite() throws Exception {
        NormalizedImage out = normalizer.normalize(TestImages.palettePngWithAlpha(32, 16, new Color(0, 0, 200)));

        BufferedImage image = TestImages.decode(out.bytes());
        assertColor(new int[] {255, 255, 255}, rgb(image, 4, 8), 3); // transparent red entry is not red
        assertColor(new int[] {0, 0, 200}, rgb(image, 28, 8), 8);
    }

    @Test
    void animatedGifGivesItsFirstFrame() throws Exception {
        NormalizedImage out = normalizer.normalize(TestImages.animatedGif(24, 24, Color.RED, Color.BLUE, Color.GREEN));

        assertEquals(ImageFormat.GIF, out.sourceFormat());
        assertColor(new int[] {255, 0, 0}, rgb(TestImages.decode(out.bytes()), 12, 12), 10);
    }

    @Test
    void bmpAndWebpDecode() throws Exception {
        NormalizedImage bmp = normalizer.normalize(TestImages.bmp(TestImages.solid(30, 20, new Color(10, 120, 250))));
        assertEquals(30, bmp.width());
        assertColor(new int[] {10, 120, 250}, rgb(TestImages.decode(bmp.bytes()), 15, 10), 6);

        NormalizedImage lossy = normalizer.normalize(TestImages.WEBP_LOSSY);
        assertEquals(ImageFormat.WEBP, lossy.sourceFormat());
        assertEquals(1, lossy.width());
        assertEquals(1, lossy.height());
        NormalizedImage transparent = normalizer.normalize(TestImages.WEBP_LOSSLESS);
        assertColor(new int[] {255, 255, 255}, rgb(TestImages.decode(transparent.bytes()), 0, 0), 2);
        assertEquals(1, normalizer.normalize(TestImages.WEBP_ALPHA).width());
    }

    @Test
    void largeImagesAreScaledToTheLongestSideAndSmallOnesKept() throws Exception {
        NormalizedImage wide = normalizer.normalize(TestImages.jpeg(TestImages.halves(2000, 1000, Color.RED, Color.BLUE)));
        assertEquals(256, wide.width());
        assertEquals(128, wide.height());
        assertEquals(2000, wide.sourceWidth());
        BufferedImage image = TestImages.decode(wide.bytes());
        assertColor(new int[] {255, 0, 0}, rgb(image, 30, 64), 30);
        assertColor(new int[] {0, 0, 255}, rgb(image, 220, 64), 30);

        NormalizedImage tall = normalizer.normalize(TestImages.png(TestImages.solid(300, 1000, Color.GREEN)));
        assertEquals(77, tall.width());
        assertEquals(256, tall.height());

        NormalizedImage small = normalizer.normalize(TestImages.png(TestImages.solid(100, 40, Color.GREEN)));
        assertEquals(100, small.width(), "images are never enlarged");
        assertEquals(40, small.height());
    }

    @Test
    void pngOutputIsLossless() throws Exception {
        ImageNormalizer png = new ImageNormalizer(new ImageSettings(64, 1_000_000, OutputFormat.PNG, 0.9f));
        NormalizedImage out = png.normalize(TestImages.jpeg(TestImages.solid(128, 64, Color.WHITE)));

        assertEquals("image/png", out.mediaType());
        assertEquals(ImageFormat.PNG, ImageFormat.sniff(out.bytes()).orElseThrow());
        assertEquals(64, out.width());
        assertEquals(32, out.height());
        assertArrayEquals(new int[] {255, 255, 255}, rgb(TestImages.decode(out.bytes()), 10, 10));
    }

    @Test
    void decompressionBombIsRefusedFromItsHeaderWithoutAllocatingPixels() {
        byte[] bomb = TestImages.bombPng(100_000, 100_000);
        assertTrue(bomb.length < 2_000, "the bomb is tiny on the wire: " + bomb.length + " bytes");
        normalizerWarmUp();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        ImageRejectedException e = assertThrows(ImageRejectedException.class, () -> normalizer.normalize(bomb));

        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(Problem.TOO_LARGE, e.problem());
        assertTrue(e.getMessage().contains("100000 x 100000"), e.getMessage());
        // decoding would need 30 GB; refusing it from the header takes a few kilobytes
        assertTrue(allocated < 1_000_000, "allocated " + allocated + " bytes while refusing the bomb");
    }

    @Test
    void pixelLimitIsInclusive() throws Exception {
        ImageNormalizer limited = new ImageNormalizer(new ImageSettings(256, 10_000, OutputFormat.JPEG, 0.9f));
        assertEquals(100, limited.normalize(TestImages.png(TestImages.solid(100, 100, Color.RED))).width());
        ImageRejectedException e = assertThrows(ImageRejectedException.class,
                () -> limited.normalize(TestImages.png(TestImages.solid(101, 100, Color.RED))));
        assertEquals(Problem.TOO_LARGE, e.problem());
    }

    @Test
    void truncatedImagesAreUndecodable() {
        byte[] jpeg = TestImages.jpeg(TestImages.halves(200, 100, Color.RED, Color.BLUE));
        ImageRejectedException cutJpeg = assertThrows(ImageRejectedException.class,
                () -> normalizer.normalize(TestImages.truncated(jpeg)));
        assertEquals(Problem.UNDECODABLE, cutJpeg.problem());
        assertTrue(cutJpeg.getMessage().contains("truncated"), cutJpeg.getMessage());

        byte[] png = TestImages.png(TestImages.halves(200, 100, Color.RED, Color.BLUE));
        assertEquals(Problem.UNDECODABLE, assertThrows(ImageRejectedException.class,
                () -> normalizer.normalize(TestImages.truncated(png))).problem());
        // cut inside the JPEG header: no frame header at all
        assertEquals(Problem.UNDECODABLE, assertThrows(ImageRejectedException.class,
                () -> normalizer.normalize(java.util.Arrays.copyOf(jpeg, 40))).problem());
    }

    @Test
    void emptyTextAndUnknownBytesAreRefusedWithTheirReason() {
        ImageRejectedException empty = assertThrows(ImageRejectedException.class, () -> normalizer.normalize(new byte[0]));
        assertEquals(Problem.UNDECODABLE, empty.problem());
        assertEquals("image is empty (0 bytes)", empty.getMessage());

        ImageRejectedException text = assertThrows(ImageRejectedException.class, () -> normalizer.normalize(TestImages.textFile()));
        assertEquals(Problem.UNSUPPORTED_FORMAT, text.problem());
        assertEquals("image bytes are text, not an image", text.getMessage());

        ImageRejectedException tiff = assertThrows(ImageRejectedException.class,
                () -> normalizer.normalize(new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0, 0, 0}));
        assertEquals(Problem.UNSUPPORTED_FORMAT, tiff.problem());
        assertTrue(tiff.getMessage().contains("TIFF"), tiff.getMessage());
    }

    private void normalizerWarmUp() {
        // loads classes (and ImageIO's registry) so the measurement sees only the work on the bomb itself
        assertThrows(ImageRejectedException.class, () -> normalizer.normalize(TestImages.bombPng(60_000, 60_000)));
    }

    private static boolean containsMarker(byte[] jpeg, int marker) {
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == marker) {
                return true;
            }
        }
        return false;
    }

    static void assertColor(int[] expected, int[] actual, int tolerance) {
        for (int i = 0; i < 3; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= tolerance, "expected about "
                    + java.util.Arrays.toString(expected) + " (within " + tolerance + "), got " + java.util.Arrays.toString(actual));
        }
    }
}
