package dev.kclip.concepts.job;

import dev.kclip.common.deadletter.DeadLetters;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.serde.AvroCodec;
import java.nio.charset.StandardCharsets;
import org.apache.flink.util.OutputTag;

/** The reason codes this stage dead-letters records with, and the side output they leave by. */
public final class Rejections {

    /** The stage name in every dead letter this job writes. */
    public static final String STAGE = "concepts";

    /** Bytes that are not an {@code EmbeddedPair}. */
    public static final String BAD_RECORD = "BAD_RECORD";
    /** The embedding's byte count does not match its declared dimension, or the dimension is not positive. */
    public static final String BAD_DIMENSION = "BAD_DIMENSION";
    /** The embedding holds NaN or infinity. */
    public static final String NON_FINITE_VECTOR = "NON_FINITE_VECTOR";
    /** An all-zero embedding, which has no direction in cosine geometry. */
    public static final String ZERO_VECTOR = "ZERO_VECTOR";
    /** No teacher model id: the record cannot be assigned to a concept model. */
    public static final String MISSING_TEACHER = "MISSING_TEACHER";
    /** The dimension differs from the one the teacher's concept model was built with. */
    public static final String DIMENSION_MISMATCH = "DIMENSION_MISMATCH";
    /** A bounded input ended with fewer records for a teacher than K, so no model could be built to label them. */
    public static final String TOO_FEW_TO_BOOTSTRAP = "TOO_FEW_TO_BOOTSTRAP";

    /** Side output of every operator that rejects records. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters",
            ConceptTypes.DEAD_LETTER) {
        private static final long serialVersionUID = 1L;
    };

    private static final AvroCodec<EmbeddedPair> CODEC = AvroCodec.forClass(EmbeddedPair.class);

    private Rejections() {
    }

    /** A dead letter for a record that already decoded: its value is re-encoded with the current schema. */
    static DeadLetter of(EmbeddingInput input, String reasonCode, String message) {
        EmbeddedPair pair = input.pair();
        String id = pair.getPair().getId();
        return DeadLetters.of(id.getBytes(StandardCharsets.UTF_8), CODEC.encode(pair),
                input.sourceTopic(), input.sourcePartition(), input.sourceOffset(), STAGE, reasonCode,
                message + " (value re-encoded from the decoded record)", id);
    }
}
