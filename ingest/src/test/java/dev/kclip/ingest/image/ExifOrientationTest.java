package dev.kclip.ingest.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kclip.datasets.image.ExifOrientation;
import dev.kclip.ingest.TestImages;
import java.awt.Color;
import org.junit.jupiter.api.Test;

class ExifOrientationTest {

    /*
     * Stored 3x2:      the upright image for each orientation (EXIF 2.3, the 0th row/column meanings):
     *   1 2 3
     *   4 5 6
     */
    private static final int[] STORED = {1, 2, 3, 4, 5, 6};

    @Test
    void everyOrientationMapsPixelsAsExifDefines() {
        assertArrayEquals(STORED, ExifOrientation.apply(STORED, 3, 2, 1));
        assertArrayEquals(new int[] {3, 2, 1, 6, 5, 4}, ExifOrientation.apply(STORED, 3, 2, 2)); // mirrored
        assertArrayEquals(new int[] {6, 5, 4, 3, 2, 1}, ExifOrientation.apply(STORED, 3, 2, 3)); // 180
        assertArrayEquals(new int[] {4, 5, 6, 1, 2, 3}, ExifOrientation.apply(STORED, 3, 2, 4)); // flipped
        assertArrayEquals(new int[] {1, 4, 2, 5, 3, 6}, ExifOrientation.apply(STORED, 3, 2, 5)); // transposed, 2 wide
        assertArrayEquals(new int[] {4, 1, 5, 2, 6, 3}, ExifOrientation.apply(STORED, 3, 2, 6)); // 90 clockwise
        assertArrayEquals(new int[] {6, 3, 5, 2, 4, 1}, ExifOrientation.apply(STORED, 3, 2, 7)); // transverse
        assertArrayEquals(new int[] {3, 6, 2, 5, 1, 4}, ExifOrientation.apply(STORED, 3, 2, 8)); // 90 counter-clockwise
    }

    @Test
    void readsTheTagFromBothByteOrders() {
        byte[] jpeg = TestImages.jpeg(TestImages.solid(8, 8, Color.RED));
        assertEquals(1, ExifOrientation.read(jpeg));
        for (int orientation = 1; orientation <= 8; orientation++) {
            assertEquals(orientation, ExifOrientation.read(TestImages.withExifOrientation(jpeg, orientation, true)));
            assertEquals(orientation, ExifOrientation.read(TestImages.withExifOrientation(jpeg, orientation, false)));
        }
        assertEquals(1, ExifOrientation.read(TestImages.withExifOrientation(jpeg, 9, true)), "out of range → upright");
    }
}
