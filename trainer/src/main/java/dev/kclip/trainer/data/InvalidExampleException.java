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

    /**
     * The shared image decoder refused the record's image: {@link RejectReason#UNSUPPORTED_FORMAT},
     * {@link RejectReason#IMAGE_TOO_LARGE} or {@link RejectReason#UNDECODABLE_IMAGE}, as it says why.
     */
    public static InvalidExampleException imageRefused(ImageRejectedException e, String recordId) {
        RejectReason reason = switch (e.problem()) {
            case UNSUPPORTED_FORMAT -> RejectReason.UNSUPPORTED_FORMAT;
            case TOO_LARGE -> RejectReason.IMAGE_TOO_LARGE;
            case UNDECODABLE -> RejectReason.UNDECODABLE_IMAGE;
        };
        return new InvalidExampleException(reason, "image cannot be decoded: " + e.getMessage(), recordId);
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
