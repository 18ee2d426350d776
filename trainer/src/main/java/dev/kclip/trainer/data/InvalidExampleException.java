package dev.kclip.trainer.data;

import dev.kclip.datasets.image.ImageRejectedException;

/** A record the trainer cannot learn from, with the stable reason code its dead letter carries. */
public final class InvalidExampleException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Reason codes of the trainer's dead letters. */
    public static final String BAD_RECORD = "BAD_RECORD";
    public static final String EMPTY_CAPTION = "EMPTY_CAPTION";
    public static final String UNDECODABLE_IMAGE = "UNDECODABLE_IMAGE";
    public static final String BAD_TEACHER_VECTOR = "BAD_TEACHER_VECTOR";
    public static final String BAD_SOFT_LABEL = "BAD_SOFT_LABEL";
    public static final String TEACHER_MISMATCH = "TEACHER_MISMATCH";

    private final String reasonCode;
    private final String recordId;

    public InvalidExampleException(String reasonCode, String message, String recordId) {
        super(message);
        this.reasonCode = reasonCode;
        this.recordId = recordId;
    }

    /** {@link #UNDECODABLE_IMAGE}: the shared image decoder refused the record's image. */
    public static InvalidExampleException undecodable(ImageRejectedException e, String recordId) {
        return new InvalidExampleException(UNDECODABLE_IMAGE, "image cannot be decoded: " + e.getMessage(), recordId);
    }

    public String reasonCode() {
        return reasonCode;
    }

    /** The pair id when it could be read, else null. */
    public String recordId() {
        return recordId;
    }
}
