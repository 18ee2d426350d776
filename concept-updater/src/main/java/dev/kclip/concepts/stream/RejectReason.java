package dev.kclip.concepts.stream;

import dev.kclip.common.deadletter.ReasonCode;

/** Why the concepts stage dead-letters a record; the constant's name is the {@code reasonCode} on the topic. */
public enum RejectReason implements ReasonCode {

    /** Bytes that are not an {@code EmbeddedPair}. */
    BAD_RECORD,
    /** The embedding's byte count does not match its declared dimension, or the dimension is not positive. */
    BAD_DIMENSION,
    /** The embedding holds NaN or infinity, or values so large that its squared norm overflows float32. */
    NON_FINITE_VECTOR,
    /** An all-zero embedding, which has no direction in cosine geometry. */
    ZERO_VECTOR,
    /** No teacher model id: the record cannot be assigned to a concept model. */
    MISSING_TEACHER,
    /** The dimension differs from the one the teacher's concept model was built with. */
    DIMENSION_MISMATCH,
    /** A bounded input ended with fewer records for a teacher than K, so no model could be built to label them. */
    TOO_FEW_TO_BOOTSTRAP,
    /**
     * The record is too large for its LabelledPair (keyed by the pair id, with the soft label) or a later dead letter
     * of it to fit in a record: for instance a pair whose id takes megabytes. The dead letter omits the value.
     */
    OUTPUT_TOO_LARGE;

    /** The stage name in every dead letter this job writes. */
    public static final String STAGE = "concepts";
}
