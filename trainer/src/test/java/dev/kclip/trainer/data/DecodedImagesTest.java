package dev.kclip.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The decoded-image cache: within its budget, least recently used out first, one decode per kept image. */
class DecodedImagesTest {

    /** 10 × 10 RGB: 400 bytes of pixels. */
    private static BufferedImage image() {
        return new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
    }

    /** 100 encoded bytes, so each entry costs 500. */
    private static byte[] encoded() {
        return new byte[100];
    }

    @Test
    void theBudgetIsNeverExceededAndTheLeastRecentlyUsedGoFirst() {
        DecodedImages cache = new DecodedImages(1_600);
        byte[] a = encoded();
        byte[] b = encoded();
        byte[] c = encoded();
        byte[] d = encoded();
        cache.put(a, image());
        cache.put(b, image());
        cache.put(c, image());
        assertEquals(1_500, cache.bytes());
        assertNotNull(cache.get(a), "a used again: b is now the least recent");
        cache.put(d, image());
        assertEquals(1_500, cache.bytes(), "one evicted to stay within 1,600");
        assertTrue(cache.bytes() <= cache.budgetBytes());
        assertNull(cache.get(b));
        assertNotNull(cache.get(a));
        assertNotNull(cache.get(c));
        assertNotNull(cache.get(d));
        assertNull(cache.get(new byte[100]), "equal bytes, another example: not its image");

        cache.put(new byte[100], new BufferedImage(30, 30, BufferedImage.TYPE_INT_RGB));
        assertEquals(3, cache.size(), "an image larger than the whole budget is not kept");
        DecodedImages none = new DecodedImages(0);
        none.put(a, image());
        assertEquals(0, none.size());
        assertThrows(IllegalArgumentException.class, () -> new DecodedImages(-1));
    }

    @Test
    void anExampleIsDecodedOnceWhileKept() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image(), "png", out);
        TrainingExample example = new TrainingExample("a", "caption", out.toByteArray(), null, new float[] {1}, "t",
                new float[] {1}, 1, new long[0], null);
        DecodedImages cache = new DecodedImages(DecodedImages.MB);
        BufferedImage first = cache.of(example);
        assertSame(first, cache.of(example));
        assertEquals(1, cache.hitsAndMisses()[0]);
        assertEquals(1, cache.hitsAndMisses()[1]);
        assertEquals(10, first.getWidth());

        TrainingExample broken = new TrainingExample("b", "caption", new byte[] {1, 2, 3}, null, new float[] {1}, "t",
                new float[] {1}, 1, new long[0], null);
        InvalidExampleException e = assertThrows(InvalidExampleException.class, () -> cache.of(broken));
        assertEquals(RejectReason.UNSUPPORTED_FORMAT, e.reason());
    }

    @Test
    void pixelBuffersAreCountedByTheirSize() throws IOException {
        assertEquals(400, DecodedImages.sizeOf(image()));
        assertEquals(300, DecodedImages.sizeOf(new BufferedImage(10, 10, BufferedImage.TYPE_3BYTE_BGR)));
    }
}
