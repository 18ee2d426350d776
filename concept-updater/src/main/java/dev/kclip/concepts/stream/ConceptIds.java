package dev.kclip.concepts.stream;

import dev.kclip.schemas.CentroidSnapshot;
import java.util.stream.LongStream;

/** The stable concept ids of a snapshot. */
public final class ConceptIds {

    private ConceptIds() {
    }

    /** The snapshot's ids in row order; 0..K−1 for a snapshot written before ids existed (empty list). */
    public static long[] of(CentroidSnapshot snapshot) {
        if (snapshot.getConceptIds().isEmpty()) {
            return LongStream.range(0, snapshot.getConceptCount()).toArray();
        }
        if (snapshot.getConceptIds().size() != snapshot.getConceptCount()) {
            throw new IllegalArgumentException("snapshot of K=" + snapshot.getConceptCount() + " has "
                    + snapshot.getConceptIds().size() + " concept ids");
        }
        return snapshot.getConceptIds().stream().mapToLong(Long::longValue).toArray();
    }
}
