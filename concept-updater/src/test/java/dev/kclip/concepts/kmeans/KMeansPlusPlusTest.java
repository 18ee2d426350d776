package dev.kclip.concepts.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kclip.concepts.testdata.GaussianClusters;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KMeansPlusPlusTest {

    @Test
    void seedsLandInDistinctClustersForEverySeed() {
        GaussianClusters.Sample sample = new GaussianClusters(8, 64, 0.02, 7).sample(800);
        float[][] prepared = prepared(sample.vectors());
        for (long seed = 0; seed < 20; seed++) {
            int[] chosen = KMeansPlusPlus.seedIndices(prepared, 8, seed);
            long distinctClusters = Arrays.stream(chosen).map(i -> sample.truth()[i]).distinct().count();
            assertEquals(8, distinctClusters, "seed " + seed + " put two seeds in one cluster");
        }
    }

    @Test
    void sameSeedSameSeedsOtherSeedOtherSeeds() {
        float[][] prepared = prepared(new GaussianClusters(8, 32, 0.02, 3).sample(400).vectors());
        assertArrayEquals(KMeansPlusPlus.seedIndices(prepared, 8, 11), KMeansPlusPlus.seedIndices(prepared, 8, 11));
        assertFalse(Arrays.equals(KMeansPlusPlus.seedIndices(prepared, 8, 11),
                KMeansPlusPlus.seedIndices(prepared, 8, 12)));
    }

    @Test
    void fewerPointsThanKIsAnError() {
        float[][] prepared = {{1, 0}, {0, 1}};
        assertThrows(IllegalArgumentException.class, () -> KMeansPlusPlus.seedIndices(prepared, 3, 1));
    }

    private static float[][] prepared(List<float[]> vectors) {
        return vectors.stream().map(Distance.COSINE::prepare).toArray(float[][]::new);
    }
}
