package dev.kclip.concepts.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JensenShannonTest {

    @Test
    void knownValuesInBits() {
        assertEquals(0.0, JensenShannon.divergence(new double[] {1, 2, 3}, new double[] {2, 4, 6}), 1e-12);
        assertEquals(1.0, JensenShannon.divergence(new double[] {1, 0}, new double[] {0, 1}), 1e-12);
        // P = (1, 0), Q = (½, ½): M = (¾, ¼); ½·log2(4/3) + ½·(½·log2(2/3) + ½·log2(2))
        double expected = 0.5 * log2(4.0 / 3) + 0.5 * (0.5 * log2(2.0 / 3) + 0.5);
        assertEquals(expected, JensenShannon.divergence(new double[] {1, 0}, new double[] {0.5, 0.5}), 1e-12);
        assertEquals(0.311278124459, expected, 1e-9);
    }

    @Test
    void symmetric() {
        double[] p = {0.1, 0.6, 0.3};
        double[] q = {0.5, 0.2, 0.3};
        assertEquals(JensenShannon.divergence(p, q), JensenShannon.divergence(q, p), 1e-15);
    }

    @Test
    void rejectsMismatchedOrEmptyDistributions() {
        assertThrows(IllegalArgumentException.class, () -> JensenShannon.divergence(new double[2], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> JensenShannon.divergence(new double[2], new double[] {1, 1}));
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
