package dev.kclip.concepts.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.kmeans.Kernel;
import java.util.List;
import org.junit.jupiter.api.Test;

class TemperatureTest {

    private static final List<double[]> D2 = List.of(new double[] {0.1, 0.9, 1.5}, new double[] {0.4, 0.5, 2.0},
            new double[] {0.2, 1.0, Double.POSITIVE_INFINITY});

    @Test
    void entropyOfKnownDistributions() {
        assertEquals(Math.log(4), Temperature.entropy(new float[] {0.25f, 0.25f, 0.25f, 0.25f}), 1e-6);
        assertEquals(0, Temperature.entropy(new float[] {1, 0, 0}), 1e-12);
    }

    @Test
    void findsTheTemperatureOfATargetEntropyForBothKernels() {
        for (Kernel kernel : Kernel.values()) {
            double low = Temperature.meanEntropy(D2, kernel, 0.05);
            double high = Temperature.meanEntropy(D2, kernel, 5);
            assertTrue(low < high, kernel + ": entropy grows with tau");
            double target = (low + high) / 2;
            double tau = Temperature.forEntropy(D2, kernel, target, 1.0);
            assertEquals(target, Temperature.meanEntropy(D2, kernel, tau), 1e-6, kernel.name());
            assertTrue(tau > 0.05 && tau < 5, kernel + " tau " + tau);
        }
    }

    @Test
    void aTargetOutOfReachLeavesTheTemperatureAsItIs() {
        for (Kernel kernel : Kernel.values()) {
            double most = Math.log(D2.get(0).length);
            assertEquals(0.7, Temperature.forEntropy(D2, kernel, most + 0.1, 0.7), 0, kernel + ": above log K");
            assertEquals(0.7, Temperature.forEntropy(D2, kernel, -1, 0.7), 0, kernel + ": below 0");
        }
    }

    @Test
    void aFreeRowAddsNoEntropy() {
        // the third record's free row (d² = ∞) has probability 0: its entropy is that of two concepts
        double h = Temperature.meanEntropy(List.of(D2.get(2)), Kernel.GAUSSIAN, 1e6);
        assertEquals(Math.log(2), h, 1e-4);
    }
}
