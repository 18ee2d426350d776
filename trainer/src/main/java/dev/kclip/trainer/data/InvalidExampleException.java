package dev.kclip.trainer.data;

import dev.kclip.datasets.image.ImageRejectedException;

/** A record the trainer cannot learn from, with the stable reason code its dead letter carries. */
public final class InvalidExampleException extends Exception {

    private static final long serialVersionUID = 1L;

    private final RejectReason reason;
    private final String recordId;

    public InvalidExampleException(RejectReason reason, String message, String recordId) {
        super(message);
        this.reason = reason;
        this.recordId = recordId;
    }

    /** {@link RejectReason#UNDECODABLE_IMAGE}: the shared image decoder refused the record's image. */
    public static InvalidExampleException undecodable(ImageRejectedException e, String recordId) {
        return new InvalidExampleException(RejectReason.UNDECODABLE_IMAGE, "image cannot be decoded: " + e.getMessage(),
                recordId);
    }

    /** Why the record was rejected. */
    public RejectReason reason() {
        return reason;
    }

    /** The pair id when it could be read, else null. */
    public String recordId() {
        return recordId;
    }
}
