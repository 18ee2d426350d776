package dev.kclip.datasets.read;

import java.nio.file.Path;
import java.util.Map;

/**
 * One pair a dataset lists, before its image is read.
 *
 * @param image the image file
 * @param caption the caption as the dataset gives it
 * @param label the class name, or null when the dataset has none
 * @param attributes any other string fields (category, split, attributes of the class, ...)
 * @param location where in the dataset it was listed, e.g. {@code pairs.jsonl line 12}, for messages
 */
public record PairEntry(Path image, String caption, String label, Map<String, String> attributes, String location) {

    public PairEntry {
        attributes = Map.copyOf(attributes);
    }

    /** The attribute's value, or null. */
    public String attribute(String name) {
        return attributes.get(name);
    }
}
