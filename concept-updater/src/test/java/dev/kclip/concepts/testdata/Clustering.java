package dev.kclip.concepts.testdata;

import java.util.HashMap;
import java.util.Map;

/** Clustering agreement measures for tests. */
public final class Clustering {

    private Clustering() {
    }

    /**
     * Adjusted Rand index (Hubert &amp; Arabie, 1985) between two labelings of the same items: 1 for identical
     * partitions (up to renumbering), about 0 for independent ones.
     */
    public static double adjustedRandIndex(int[] a, int[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("labelings of different length");
        }
        Map<Long, Long> pairs = new HashMap<>();
        Map<Integer, Long> rows = new HashMap<>();
        Map<Integer, Long> cols = new HashMap<>();
        for (int i = 0; i < a.length; i++) {
            pairs.merge(((long) a[i] << 32) | (b[i] & 0xffffffffL), 1L, Long::sum);
            rows.merge(a[i], 1L, Long::sum);
            cols.merge(b[i], 1L, Long::sum);
        }
        double index = pairs.values().stream().mapToDouble(Clustering::choose2).sum();
        double sumRows = rows.values().stream().mapToDouble(Clustering::choose2).sum();
        double sumCols = cols.values().stream().mapToDouble(Clustering::choose2).sum();
        double expected = sumRows * sumCols / choose2(a.length);
        double max = (sumRows + sumCols) / 2;
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }

    private static double choose2(long n) {
        return n * (n - 1) / 2.0;
    }
}
