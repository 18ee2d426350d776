package dev.kclip.concepts.lifecycle;

import java.util.List;

/**
 * A change of the concept set: what the drift report's {@code conceptEvents} say.
 *
 * @param kind born, merged into another, or retired
 * @param conceptId the stable id of the concept born, merged away or retired
 * @param row its row (label index)
 * @param version the model version the change made
 * @param eventTime event time (epoch ms) of the update that made it
 * @param weight the concept's weight at that moment (records behind it; for a merge, the merged weight)
 * @param intoConceptId for {@link Kind#MERGED}, the concept it merged into; else {@link #NONE}
 * @param captions captions of the records nearest the concept when it was born or bootstrapped (up to 3)
 */
public record ConceptEvent(Kind kind, long conceptId, int row, long version, long eventTime, double weight,
        long intoConceptId, List<String> captions) {

    /** {@code intoConceptId} of an event that is not a merge. */
    public static final long NONE = -1;

    /** What happened to the concept. */
    public enum Kind {
        /** A new concept, from a cluster of novel records. */
        BORN,
        /** Merged into a near-duplicate ({@code intoConceptId}), which keeps its id. */
        MERGED,
        /** Its weight stayed low for the retire window: its row is free. */
        RETIRED
    }

    public ConceptEvent {
        captions = List.copyOf(captions);
    }
}
