package dev.kclip.datasets.read;

/** Why a reader (or a push) left a dataset entry out. */
public enum SkipReason {
    /** The line or record does not parse (malformed JSON, no tab, ...). */
    MALFORMED_LINE("malformed line"),
    /** A required field (image, caption) is missing. */
    MISSING_FIELD("missing field"),
    /** The image file does not exist. */
    IMAGE_NOT_FOUND("image not found"),
    /**
     * The image lies outside the dataset's folder (an absolute path, a {@code ..} escape, a symlink resolving
     * elsewhere) and {@link ReaderOptions#allowOutsideRoot()} is off.
     */
    OUTSIDE_ROOT("outside the dataset folder"),
    /** The image file is larger than {@link ReaderOptions#MAX_IMAGE_BYTES}. */
    IMAGE_TOO_LARGE("image file too large"),
    /** The image file exists but cannot be read. */
    IMAGE_UNREADABLE("image unreadable"),
    /** The record would be larger than Kafka accepts. */
    TOO_LARGE("too large to send");

    private final String description;

    SkipReason(String description) {
        this.description = description;
    }

    /** A few words for summaries. */
    public String description() {
        return description;
    }
}
