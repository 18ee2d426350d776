package dev.kclip.concepts.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class VectorSampleTest {

    private static float[] vector(int i) {
        return new float[] {i, i * 0.5f, -i};
    }

    @Test
    void mergedSamplesAreTheSampleOfTheUnionAndSurviveState() {
        VectorSample all = new VectorSample(50);
        VectorSample left = new VectorSample(50);
        VectorSample right = new VectorSample(50);
        for (int i = 0; i < 1_000; i++) {
            all.offer(vector(i), i, 1);
            (i % 3 == 0 ? left : right).offer(vector(i), i, 1);
        }
        left.merge(right);
        assertEquals(50, left.size());
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        all.vectors().forEach(v -> a.add(Arrays.toString(v)));
        left.vectors().forEach(v -> b.add(Arrays.toString(v)));
        assertEquals(a, b);
        VectorSample restored = VectorSample.fromState(all.toState());
        assertEquals(50, restored.capacity());
        List<String> c = new ArrayList<>();
        restored.vectors().forEach(v -> c.add(Arrays.toString(v)));
        assertEquals(a, c);
        assertEquals(10, all.smallest(10).size());
        assertEquals(a.subList(0, 10), all.smallest(10).vectors().stream().map(Arrays::toString).toList());
    }

    @Test
    void thePreFilterPassesAboutItsRateAndTheSampleIsUniform() {
        VectorSample sample = new VectorSample(100_000);
        for (int i = 0; i < 20_000; i++) {
            sample.offer(vector(i), i, 0.1);
        }
        // Binomial(20,000, 0.1): 2,000 ± 42
        assertTrue(Math.abs(sample.size() - 2_000) < 200, sample.size() + " kept");
        VectorSample small = new VectorSample(200);
        for (int i = 0; i < 20_000; i++) {
            small.offer(vector(i), i, 1);
        }
        double mean = small.vectors().stream().mapToDouble(v -> v[0]).average().orElseThrow();
        // uniform over 0..19,999: mean 10,000, standard error 5,774/√200 ≈ 408
        assertTrue(Math.abs(mean - 10_000) < 1_600, "mean index " + mean);
    }
}
