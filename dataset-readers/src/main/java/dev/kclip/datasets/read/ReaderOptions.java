package dev.kclip.datasets.read;

import dev.kclip.schemas.Topics;
import java.nio.file.Path;

/**
 * Options some dataset layouts use.
 *
 * @param labelField JSON Lines: the field holding the class label (default {@code label})
 * @param captionTemplate class-folder, CUB, AWA2: caption made from the class name, {@code {class}} replaced
 * @param imageRoot TSV and COCO: the folder image paths are relative to (null: the dataset file's folder)
 * @param name the dataset name recorded as the pairs' source (null: derived from the path)
 * @param allowOutsideRoot whether images may lie outside the dataset's folder (absolute paths, {@code ..}, symlinks
 *        leaving it); off by default, so a dataset file cannot make a reader pick up any file on the machine
 */
public record ReaderOptions(String labelField, String captionTemplate, Path imageRoot, String name,
                            boolean allowOutsideRoot) {

    public static final String DEFAULT_LABEL_FIELD = "label";
    public static final String DEFAULT_CAPTION_TEMPLATE = "a photo of a {class}.";
    public static final ReaderOptions DEFAULTS = new ReaderOptions(DEFAULT_LABEL_FIELD, DEFAULT_CAPTION_TEMPLATE, null, null);
    /**
     * The largest image file a reader lists or reads: one record on a topic can hold no more
     * ({@link Topics#MAX_MESSAGE_BYTES}), so a larger file is refused before it is read into memory.
     */
    public static final long MAX_IMAGE_BYTES = Topics.MAX_MESSAGE_BYTES;

    public ReaderOptions {
        if (labelField == null || labelField.isBlank()) {
            throw new IllegalArgumentException("the label field name must not be blank");
        }
        if (captionTemplate == null || !captionTemplate.contains("{class}")) {
            throw new IllegalArgumentException("the caption template must contain {class}, e.g. \""
                    + DEFAULT_CAPTION_TEMPLATE + "\", not \"" + captionTemplate + "\"");
        }
    }

    /** Options confined to the dataset's folder. */
    public ReaderOptions(String labelField, String captionTemplate, Path imageRoot, String name) {
        this(labelField, captionTemplate, imageRoot, name, false);
    }

    /** These options with {@code field} as the label field. */
    public ReaderOptions withLabelField(String field) {
        return new ReaderOptions(field, captionTemplate, imageRoot, name, allowOutsideRoot);
    }

    /** These options with images outside the dataset's folder allowed or not. */
    public ReaderOptions withAllowOutsideRoot(boolean allow) {
        return new ReaderOptions(labelField, captionTemplate, imageRoot, name, allow);
    }

    /** {@code name} when given, else {@code fallback}. */
    String nameOr(String fallback) {
        return name == null || name.isBlank() ? fallback : name;
    }
}
