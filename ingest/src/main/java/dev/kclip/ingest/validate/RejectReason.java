package dev.kclip.ingest.validate;

import dev.kclip.common.deadletter.ReasonCode;

/** Why ingest rejected a record: the constant's name is the stable {@code reasonCode} of its dead letter. */
public enum RejectReason implements ReasonCode {
    /** The caption is empty or only whitespace. */
    EMPTY_CAPTION,
    /** The caption is longer than the configured number of characters (Unicode code points). */
    CAPTION_TOO_LONG,
    /** The caption's bytes on the wire are not valid UTF-8. */
    BAD_UTF8,
    /** The image is empty, truncated or corrupt. */
    UNDECODABLE_IMAGE,
    /** The image's header declares more pixels than allowed (decompression-bomb guard). */
    IMAGE_TOO_LARGE,
    /** The image is not JPEG, PNG, GIF, BMP or WebP. */
    UNSUPPORTED_FORMAT,
    /** The record's bytes are not an {@code ImageCaptionPair} in Avro single-object encoding. */
    BAD_RECORD,
    /** The pair's id is longer than {@link FieldLimits#MAX_ID_CHARS} characters. */
    ID_TOO_LONG,
    /** The label, the source or the attributes (count, name or value) exceed their {@link FieldLimits}. */
    FIELD_TOO_LONG,
    /**
     * The normalised pair with its key would exceed the record size limit of the output topic; the dead letter then
     * leaves the original value out.
     */
    OUTPUT_TOO_LARGE
}
