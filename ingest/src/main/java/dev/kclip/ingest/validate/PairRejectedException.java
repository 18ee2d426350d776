package dev.kclip.ingest.validate;

/** A pair ingest will not pass on; carries the reason code and a message for the dead letter. */
public final class PairRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final RejectReason reason;
    private final String recordId;

    public PairRejectedException(RejectReason reason, String message, String recordId) {
        super(message);
        this.reason = reason;
        this.recordId = recordId;
    }

    public RejectReason reason() {
        return reason;
    }

    /** The pair's id when the record could be read that far, else null. */
    public String recordId() {
        return recordId;
    }

    /** The same rejection, naming the pair it concerns. */
    public PairRejectedException withRecordId(String id) {
        return new PairRejectedException(reason, getMessage(), id);
    }
}
