package dev.kclip.teacher.service;

import dev.kclip.common.deadletter.ReasonCode;

/** Why the teacher sent a record to the dead-letter topic; the name is the DeadLetter's {@code reasonCode}. */
public enum RejectReason implements ReasonCode {
    /** The bytes are not an ImageCaptionPair (or the value is null). */
    BAD_RECORD,
    /** The caption has no tokens of its own once tokenised (empty or only whitespace). */
    EMPTY_AFTER_TOKENIZATION,
    /** The teacher produced a vector with NaN or infinite values. */
    NAN_EMBEDDING,
    /** The teacher failed on this caption alone, while it embeds others. */
    EMBEDDING_FAILED,
    /**
     * The EmbeddedPair with its key would exceed the producer's record size limit (the dead letter then omits the
     * value).
     */
    OUTPUT_TOO_LARGE
}
