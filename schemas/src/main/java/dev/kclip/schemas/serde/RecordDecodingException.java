package dev.kclip.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that cannot be read as one of our records. Every stage catches this one type, and dead-letters the
 * record with reason code {@code BAD_RECORD} and {@link #getMessage()} as the explanation.
 */
public class RecordDecodingException extends SerializationException {

    private static final long serialVersionUID = 1L;

    /** What was wrong with the bytes. */
    public enum Problem {
        /** Too short, or no single-object-encoding marker (C3 01): not Avro written by us. */
        NOT_SINGLE_OBJECT,
        /** The marker is there but no known schema of the expected record has this fingerprint. */
        UNKNOWN_SCHEMA,
        /** The schema is known but the body ends early or does not parse. */
        MALFORMED_BODY
    }

    private final Problem problem;

    public RecordDecodingException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
