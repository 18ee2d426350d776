package dev.kclip.concepts.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClusteringTest {

    @Test
    void adjustedRandIndexIsOneForARenumberingAndMatchesAWorkedExample() {
        assertEquals(1.0, Clustering.adjustedRandIndex(new int[] {0, 0, 1, 1, 2}, new int[] {5, 5, 3, 3, 9}), 1e-12);
        // scikit-learn: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714285714285715
        assertEquals(0.5714285714285715, Clustering.adjustedRandIndex(new int[] {0, 0, 1, 1}, new int[] {0, 0, 1, 2}),
                1e-12);
        // adjusted_rand_score([0, 0, 1, 1], [0, 1, 0, 1]) = -0.5
        assertEquals(-0.5, Clustering.adjustedRandIndex(new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1}), 1e-12);
    }
}
