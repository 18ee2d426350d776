package dev.kclip.trainer.data;

import dev.kclip.common.deadletter.ReasonCode;

/** Why the trainer sent a record to the dead-letter topic; the name is the DeadLetter's {@code reasonCode}. */
public enum RejectReason implements ReasonCode {
    /** The bytes are not a LabelledPair (or the value is null). */
    BAD_RECORD,
    /** The caption is empty or only whitespace. */
    EMPTY_CAPTION,
    /** The image is of a known format but truncated, corrupt or zero-sized. */
    UNDECODABLE_IMAGE,
    /** The image bytes are no image of a known format; the dead letter leaves them out. */
    UNSUPPORTED_FORMAT,
    /** The image's header declares more pixels than the decoder allows (decompression-bomb guard). */
    IMAGE_TOO_LARGE,
    /**
     * The teacher vector has the wrong size for its {@code dim}, is empty, holds NaN or infinite values, or values so
     * large that its squared norm overflows float32.
     */
    BAD_TEACHER_VECTOR,
    /** The soft label is not a probability distribution over its {@code conceptCount} concepts. */
    BAD_SOFT_LABEL,
    /** Another teacher, or another vector size, than the run distils from. */
    TEACHER_MISMATCH
}
