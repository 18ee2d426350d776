package dev.kclip.trainer.data;

/** A record the trainer cannot learn from, with the stable reason code its dead letter carries. */
public final class InvalidExampleException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * {@link RejectReason#UNDECODABLE_IMAGE} under the name {@code ImageDecoding} used before the reasons became an
     * enum (that class is being replaced on another branch; the alias goes with it).
     */
    public static final RejectReason UNDECODABLE_IMAGE = RejectReason.UNDECODABLE_IMAGE;

    private final RejectReason reason;
    private final String recordId;

    public InvalidExampleException(RejectReason reason, String message, String recordId) {
        super(message);
        this.reason = reason;
        this.recordId = recordId;
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
