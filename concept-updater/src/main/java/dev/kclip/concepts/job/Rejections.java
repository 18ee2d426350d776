package dev.kclip.concepts.job;

import dev.kclip.schemas.DeadLetter;
import org.apache.flink.util.OutputTag;

/** The side output every operator of the job sends its rejected records by (reasons: {@code RejectReason}). */
final class Rejections {

    /** Side output of every operator that rejects records. */
    static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", ConceptTypes.DEAD_LETTER) {
        private static final long serialVersionUID = 1L;
    };

    private Rejections() {
    }
}
