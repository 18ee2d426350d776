package dev.kclip.ingest.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.datasets.image.ImageFormat;
import dev.kclip.ingest.TestImages;
import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageFormatTest {

    @Test
    void recognisesFormatsByTheirBytes() {
        var image = TestImages.solid(8, 8, Color.RED);
        assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.sniff(TestImages.jpeg(image)));
        assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.sniff(TestImages.png(image)));
        assertEquals(Optional.of(ImageFormat.GIF), ImageFormat.sniff(TestImages.gif(image)));
        assertEquals(Optional.of(ImageFormat.BMP), ImageFormat.sniff(TestImages.bmp(image)));
        assertEquals(Optional.of(ImageFormat.WEBP), ImageFormat.sniff(TestImages.WEBP_LOSSY));
        assertEquals("image/webp", ImageFormat.WEBP.mediaType());
        assertTrue(ImageFormat.WEBP.readable(), "the TwelveMonkeys WebP reader is on the classpath");
    }

    @Test
    void textStartingLikeAFormatIsNotThatFormat() {
        assertEquals(Optional.empty(), ImageFormat.sniff("BM is a text file, not a bitmap".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Optional.empty(), ImageFormat.sniff(TestImages.textFile()));
        assertEquals(Optional.empty(), ImageFormat.sniff(new byte[0]));
        assertEquals(Optional.empty(), ImageFormat.sniff("RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void describesWhatUnknownBytesLookLike() {
        assertEquals("text, not an image", ImageFormat.describeUnknown(TestImages.textFile()));
        assertEquals("a TIFF image, which is not supported", ImageFormat.describeUnknown(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8}));
        assertEquals("an ISO media file (HEIF/AVIF/MP4), which is not supported",
                ImageFormat.describeUnknown("\0\0\0\u0018ftypheic".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals("not a JPEG, PNG, GIF, BMP or WebP image", ImageFormat.describeUnknown(new byte[] {0, 1, 2, (byte) 0xFE}));
    }
}
