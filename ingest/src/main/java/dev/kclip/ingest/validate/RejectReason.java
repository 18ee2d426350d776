package dev.kclip.ingest.validate;

/** Why ingest rejected a record: the stable {@code reasonCode} of its dead letter. */
public enum RejectReason {
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
    BAD_RECORD
}
