package dev.kclip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;
import java.util.Set;

/**
 * How the rows of a per-concept array (the classifier's weight and bias, and their optimizer moments) carry over
 * when the concepts change: new row i takes old row {@code source[i]}, or starts fresh where that is -1.
 *
 * @param source for each new row, the old row it keeps, or -1
 */
public record RowRemap(int[] source) {

    public RowRemap {
        source = source.clone();
    }

    /**
     * The concept updater's rule: concept ids keep their meaning across centroid versions except where a concept
     * was reseeded. So when K changes from {@code oldK} to {@code newK}, concept i &lt; min(oldK, newK) keeps its row
     * unless it is in {@code reseeded}; concepts beyond the old K start fresh; those beyond the new K are dropped.
     */
    public static RowRemap forConcepts(int oldK, int newK, Set<Integer> reseeded) {
        int[] source = new int[newK];
        for (int i = 0; i < newK; i++) {
            source[i] = i < oldK && !reseeded.contains(i) ? i : -1;
        }
        return new RowRemap(source);
    }

    public int newRows() {
        return source.length;
    }

    /** The old row new row {@code i} keeps, or -1. */
    public int source(int i) {
        return source[i];
    }

    /** True when every row is kept as it is (nothing to do). */
    public boolean identity(int oldRows) {
        if (oldRows != source.length) {
            return false;
        }
        for (int i = 0; i < source.length; i++) {
            if (source[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** Copies the kept rows of {@code from} (first axis) into {@code to}, leaving the fresh rows as they are. */
    public void copyRows(NDArray from, NDArray to) {
        for (int i = 0; i < source.length; i++) {
            if (source[i] >= 0) {
                to.set(new NDIndex(i), from.get(new NDIndex(source[i])));
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowRemap r && Arrays.equals(source, r.source);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(source);
    }

    @Override
    public String toString() {
        return "RowRemap" + Arrays.toString(source);
    }
}
