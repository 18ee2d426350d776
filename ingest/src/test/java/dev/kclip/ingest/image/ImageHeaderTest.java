package dev.kclip.ingest.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kclip.datasets.image.ImageFormat;
import dev.kclip.datasets.image.ImageHeader;
import dev.kclip.datasets.image.ImageRejectedException;
import dev.kclip.ingest.TestImages;
import java.awt.Color;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageHeaderTest {

    @Test
    void readsTheDeclaredSizeOfEveryFormat() throws Exception {
        assertEquals(new ImageHeader(37, 21), ImageHeader.read(TestImages.png(TestImages.solid(37, 21, Color.RED)), ImageFormat.PNG));
        assertEquals(new ImageHeader(37, 21), ImageHeader.read(TestImages.jpeg(TestImages.solid(37, 21, Color.RED)), ImageFormat.JPEG));
        assertEquals(new ImageHeader(37, 21), ImageHeader.read(TestImages.gif(TestImages.solid(37, 21, Color.RED)), ImageFormat.GIF));
        assertEquals(new ImageHeader(37, 21), ImageHeader.read(TestImages.bmp(TestImages.solid(37, 21, Color.RED)), ImageFormat.BMP));
        assertEquals(new ImageHeader(1, 1), ImageHeader.read(TestImages.WEBP_LOSSY, ImageFormat.WEBP));
        assertEquals(new ImageHeader(1, 1), ImageHeader.read(TestImages.WEBP_LOSSLESS, ImageFormat.WEBP));
        assertEquals(new ImageHeader(1, 1), ImageHeader.read(TestImages.WEBP_ALPHA, ImageFormat.WEBP));
        assertEquals(new ImageHeader(100_000, 100_000), ImageHeader.read(TestImages.bombPng(100_000, 100_000), ImageFormat.PNG));
    }

    @Test
    void jpegFrameHeaderIsFoundAfterExifAndAdobeSegments() throws Exception {
        byte[] jpeg = TestImages.withExifOrientation(TestImages.jpeg(TestImages.solid(50, 30, Color.RED)), 6, true);
        assertEquals(new ImageHeader(50, 30), ImageHeader.read(jpeg, ImageFormat.JPEG));
        assertEquals(new ImageHeader(12, 7), ImageHeader.read(TestImages.cmykJpeg(12, 7, 0, 0, 0, 0), ImageFormat.JPEG));
        assertEquals(new ImageHeader(64, 48), ImageHeader.read(TestImages.jpeg(TestImages.solid(64, 48, Color.RED), true), ImageFormat.JPEG));
    }

    @Test
    void gifFrameLargerThanItsScreenCounts() throws Exception {
        // logical screen 1x1, first frame 60000x60000: a decoder allocates the frame
        byte[] gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0,
            0x21, (byte) 0xF9, 4, 0, 0, 0, 0, 0,
            0x2C, 0, 0, 0, 0, (byte) 0x60, (byte) 0xEA, (byte) 0x60, (byte) 0xEA, 0};
        assertEquals(new ImageHeader(60_000, 60_000), ImageHeader.read(gif, ImageFormat.GIF));
    }

    @Test
    void bmpTopDownHeightIsPositive() throws Exception {
        byte[] bmp = TestImages.bmp(TestImages.solid(9, 5, Color.RED));
        int height = -5;
        bmp[22] = (byte) height;
        bmp[23] = (byte) (height >> 8);
        bmp[24] = (byte) (height >> 16);
        bmp[25] = (byte) (height >> 24);
        assertEquals(new ImageHeader(9, 5), ImageHeader.read(bmp, ImageFormat.BMP));
    }

    @Test
    void missingOrZeroHeadersAreUndecodable() {
        byte[] png = TestImages.png(TestImages.solid(5, 5, Color.RED));
        assertThrows(ImageRejectedException.class, () -> ImageHeader.read(Arrays.copyOf(png, 20), ImageFormat.PNG));
        byte[] zeroWidth = TestImages.bombPng(0, 10);
        ImageRejectedException e = assertThrows(ImageRejectedException.class, () -> ImageHeader.read(zeroWidth, ImageFormat.PNG));
        assertEquals(ImageRejectedException.Problem.UNDECODABLE, e.problem());
        byte[] jpeg = TestImages.jpeg(TestImages.solid(5, 5, Color.RED));
        assertThrows(ImageRejectedException.class, () -> ImageHeader.read(Arrays.copyOf(jpeg, 30), ImageFormat.JPEG));
        assertThrows(ImageRejectedException.class, () -> ImageHeader.read(Arrays.copyOf(TestImages.WEBP_LOSSY, 22), ImageFormat.WEBP));
    }
}
