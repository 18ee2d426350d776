package dev.kclip.trainer.loop;

import dev.kclip.trainer.model.RowRemap;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the classifier's concepts in step with the concept updater's. Soft labels carry K and the centroid version
 * that made them; when a newer version arrives the classifier follows:
 * <ul>
 *   <li>K grows: rows of existing concepts are kept, new concepts start fresh;</li>
 *   <li>K shrinks: rows of the remaining concepts are kept, the rest dropped;</li>
 *   <li>concepts reseeded by the updater between the two versions (from {@code kclip.concepts.centroids}) start
 *       fresh, since their id now names another concept;</li>
 *   <li>otherwise (a version jump with the same K and nothing reseeded) the rows stay as they are: concept ids
 *       keep their meaning across versions.</li>
 * </ul>
 * Labels of older versions never move the classifier back.
 */
public final class ConceptTracker {

    private int concepts;
    private long version;

    public ConceptTracker(int concepts, long version) {
        this.concepts = concepts;
        this.version = version;
    }

    public int concepts() {
        return concepts;
    }

    public long version() {
        return version;
    }

    /**
     * Moves to {@code newVersion} with {@code newConcepts} concepts.
     *
     * @param reseeded concepts reseeded in the versions after the current one, up to {@code newVersion}
     * @return the row plan to apply to the classifier, or empty when its rows stay as they are
     */
    public Optional<RowRemap> advance(int newConcepts, long newVersion, Set<Integer> reseeded) {
        if (newVersion <= version) {
            return Optional.empty();
        }
        RowRemap plan = RowRemap.forConcepts(concepts, newConcepts, reseeded);
        int oldConcepts = concepts;
        concepts = newConcepts;
        version = newVersion;
        return plan.identity(oldConcepts) ? Optional.empty() : Optional.of(plan);
    }
}
