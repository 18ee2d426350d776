package dev.kclip.concepts.bench;

import java.util.HashMap;
import java.util.Map;

/** How well a clustering agrees with ground-truth classes: adjusted Rand index and purity. */
public final class Agreement {

    private Agreement() {
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
        double index = pairs.values().stream().mapToDouble(Agreement::choose2).sum();
        double sumRows = rows.values().stream().mapToDouble(Agreement::choose2).sum();
        double sumCols = cols.values().stream().mapToDouble(Agreement::choose2).sum();
        double expected = sumRows * sumCols / choose2(a.length);
        double max = (sumRows + sumCols) / 2;
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }

    /**
     * Purity of clustering {@code clusters} against classes {@code truth}: the share of items in the majority class
     * of their cluster (1 when every cluster is pure).
     */
    public static double purity(int[] clusters, int[] truth) {
        if (clusters.length != truth.length || clusters.length == 0) {
            throw new IllegalArgumentException("need two labelings of the same, non-zero length");
        }
        Map<Integer, Map<Integer, Long>> byCluster = new HashMap<>();
        for (int i = 0; i < clusters.length; i++) {
            byCluster.computeIfAbsent(clusters[i], c -> new HashMap<>()).merge(truth[i], 1L, Long::sum);
        }
        long majority = 0;
        for (Map<Integer, Long> classes : byCluster.values()) {
            majority += classes.values().stream().mapToLong(Long::longValue).max().orElse(0);
        }
        return majority / (double) clusters.length;
    }

    private static double choose2(long n) {
        return n * (n - 1) / 2.0;
    }
}
