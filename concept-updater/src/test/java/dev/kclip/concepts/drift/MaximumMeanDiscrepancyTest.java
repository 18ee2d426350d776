package dev.kclip.concepts.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Against numpy: {@code src/test/resources/dev/kclip/concepts/drift/mmd_reference.py} and its output. */
class MaximumMeanDiscrepancyTest {

    private static final List<float[]> X = vectors(40, (i, d) -> Math.sin(1.3 * i + 0.7 * d));
    private static final List<float[]> Y = vectors(30, (i, d) -> 1.2 * Math.cos(0.9 * i + 1.1 * d) + 0.1);

    private interface Formula {
        double value(int i, int d);
    }

    private static List<float[]> vectors(int n, Formula formula) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[24];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) formula.value(i, d);
            }
            out.add(v);
        }
        return out;
    }

    private static Map<String, Double> reference() throws IOException {
        Map<String, Double> values = new HashMap<>();
        try (InputStream in = MaximumMeanDiscrepancyTest.class.getResourceAsStream("mmd_reference.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] kv = line.split("=");
                values.put(kv[0], Double.parseDouble(kv[1]));
            }
        }
        return values;
    }

    @Test
    void medianHeuristicAndUnbiasedEstimatorMatchNumpy() throws IOException {
        Map<String, Double> expected = reference();
        double h = MaximumMeanDiscrepancy.medianSquaredDistance(X);
        assertEquals(expected.get("bandwidth"), h, 1e-9 * h);
        assertEquals(expected.get("mmd2"), MaximumMeanDiscrepancy.unbiased(X, Y, h), 1e-9);
        assertEquals(expected.get("mmd2_halves"),
                MaximumMeanDiscrepancy.unbiased(X.subList(0, 20), X.subList(20, 40), h), 1e-9);
        // with the reference's self term computed once, as the monitor does
        assertEquals(expected.get("mmd2"),
                MaximumMeanDiscrepancy.unbiased(X, Y, MaximumMeanDiscrepancy.selfTerm(Y, h), h), 1e-9);
    }

    @Test
    void permutationNullIsCentredAndBelowARealDifference() {
        List<float[]> pool = new ArrayList<>(X);
        pool.addAll(X.stream().map(v -> {
            float[] w = v.clone();
            w[0] += 0.01f;
            return w;
        }).toList());
        MaximumMeanDiscrepancy.Null nul = MaximumMeanDiscrepancy.permutationNull(pool, 40, 500, 3);
        assertEquals(500, nul.values().length);
        double[] sorted = nul.values().clone();
        Arrays.sort(sorted);
        assertTrue(Arrays.equals(sorted, nul.values()), "sorted");
        double mean = Arrays.stream(nul.values()).average().orElseThrow();
        // E[MMD²ᵤ] = 0 for exchangeable samples: the mean of 500 splits is within a few of their standard errors
        double sd = Math.sqrt(Arrays.stream(nul.values()).map(v -> (v - mean) * (v - mean)).sum() / 499);
        assertTrue(Math.abs(mean) < 4 * sd / Math.sqrt(500), "mean " + mean + " sd " + sd);
        assertEquals(MaximumMeanDiscrepancy.medianSquaredDistance(pool), nul.bandwidth(), 0);
        double observed = MaximumMeanDiscrepancy.unbiased(X, Y, nul.bandwidth());
        assertTrue(observed > nul.values()[499], observed + " vs the null's largest " + nul.values()[499]);
    }
}
