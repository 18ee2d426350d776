package dev.kclip.trainer.loop;

import dev.kclip.trainer.model.RowRemap;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the classifier's concepts in step with the concept updater's. Soft labels carry K, the centroid version
 * that made them and the stable id of each concept index; when a newer version arrives the classifier follows:
 * <ul>
 *   <li>K grows: rows of existing concepts are kept, new concepts start fresh;</li>
 *   <li>K shrinks: rows of the remaining concepts are kept, the rest dropped;</li>
 *   <li>a row whose concept id changed (the updater reseeded, merged or replaced the concept at that index) starts
 *       fresh, since the index now names another concept;</li>
 *   <li>otherwise the rows stay as they are.</li>
 * </ul>
 * Labels that name no ids (written before the ids existed) count as naming their indices, so they keep every row
 * of concepts that exist in both versions. Labels of older versions never move the classifier back.
 */
public final class ConceptTracker {

    private long version;
    private long[] ids;

    /**
     * @param concepts K of the classifier
     * @param ids the id of each row, or null (or empty) when unknown: the ids are then the indices
     */
    public ConceptTracker(int concepts, long version, long[] ids) {
        this.version = version;
        this.ids = idsOf(ids, concepts);
    }

    public int concepts() {
        return ids.length;
    }

    public long version() {
        return version;
    }

    /** The concept id of each classifier row. */
    public long[] ids() {
        return ids.clone();
    }

    /**
     * Moves to {@code newVersion}, whose labels name {@code newIds} (empty: the indices of {@code newConcepts}).
     *
     * @return the row plan to apply to the classifier, or empty when its rows stay as they are
     */
    public Optional<RowRemap> advance(int newConcepts, long newVersion, long[] newIds) {
        if (newVersion <= version) {
            return Optional.empty();
        }
        long[] next = idsOf(newIds, newConcepts);
        Set<Integer> changed = new HashSet<>();
        for (int i = 0; i < Math.min(ids.length, next.length); i++) {
            if (ids[i] != next[i]) {
                changed.add(i);
            }
        }
        RowRemap plan = RowRemap.forConcepts(ids.length, next.length, changed);
        int oldConcepts = ids.length;
        ids = next;
        version = newVersion;
        return plan.identity(oldConcepts) ? Optional.empty() : Optional.of(plan);
    }

    private static long[] idsOf(long[] ids, int concepts) {
        if (ids == null || ids.length == 0) {
            long[] indices = new long[concepts];
            Arrays.setAll(indices, i -> i);
            return indices;
        }
        if (ids.length != concepts) {
            throw new IllegalArgumentException(ids.length + " concept ids for " + concepts + " concepts");
        }
        return ids.clone();
    }
}
