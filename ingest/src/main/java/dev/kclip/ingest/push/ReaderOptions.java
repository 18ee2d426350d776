package dev.kclip.ingest.push;

import java.nio.file.Path;

/**
 * Options some dataset layouts use.
 *
 * @param labelField JSON Lines: the field holding the class label (default {@code label})
 * @param captionTemplate class-folder, CUB, AWA2: caption made from the class name, {@code {class}} replaced
 * @param imageRoot TSV and COCO: the folder image paths are relative to (null: the dataset file's folder)
 * @param name the dataset name recorded as the pairs' source (null: derived from the path)
 */
public record ReaderOptions(String labelField, String captionTemplate, Path imageRoot, String name) {

    public static final String DEFAULT_LABEL_FIELD = "label";
    public static final String DEFAULT_CAPTION_TEMPLATE = "a photo of a {class}.";
    public static final ReaderOptions DEFAULTS = new ReaderOptions(DEFAULT_LABEL_FIELD, DEFAULT_CAPTION_TEMPLATE, null, null);

    public ReaderOptions {
        if (labelField == null || labelField.isBlank()) {
            throw new IllegalArgumentException("the label field name must not be blank");
        }
        if (captionTemplate == null || !captionTemplate.contains("{class}")) {
            throw new IllegalArgumentException("the caption template must contain {class}, e.g. \""
                    + DEFAULT_CAPTION_TEMPLATE + "\", not \"" + captionTemplate + "\"");
        }
    }

    /** {@code name} when given, else {@code fallback}. */
    String nameOr(String fallback) {
        return name == null || name.isBlank() ? fallback : name;
    }
}
