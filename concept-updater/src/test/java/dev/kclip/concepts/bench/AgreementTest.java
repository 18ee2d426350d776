package dev.kclip.concepts.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AgreementTest {

    @Test
    void adjustedRandIndexIsOneForARenumberingAndMatchesAWorkedExample() {
        assertEquals(1.0, Agreement.adjustedRandIndex(new int[] {0, 0, 1, 1, 2}, new int[] {5, 5, 3, 3, 9}), 1e-12);
        // scikit-learn: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714285714285715
        assertEquals(0.5714285714285715, Agreement.adjustedRandIndex(new int[] {0, 0, 1, 1}, new int[] {0, 0, 1, 2}),
                1e-12);
        // adjusted_rand_score([0, 0, 1, 1], [0, 1, 0, 1]) = -0.5
        assertEquals(-0.5, Agreement.adjustedRandIndex(new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1}), 1e-12);
    }

    @Test
    void purityIsTheShareInTheMajorityClassOfEachCluster() {
        assertEquals(1.0, Agreement.purity(new int[] {7, 7, 3}, new int[] {0, 0, 1}), 1e-12);
        // cluster 0 holds classes {a, a, b}, cluster 1 {b, c}: (2 + 1) / 5
        assertEquals(0.6, Agreement.purity(new int[] {0, 0, 0, 1, 1}, new int[] {0, 0, 1, 1, 2}), 1e-12);
    }
}
