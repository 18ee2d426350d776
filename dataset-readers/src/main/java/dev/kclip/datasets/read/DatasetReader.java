package dev.kclip.datasets.read;

import java.nio.file.Path;

/**
 * Reads one dataset layout into {@link PairEntry}s. Entries that cannot be used (a malformed line, a missing
 * image) are collected as {@link Skipped} with their location; a reader throws only when the dataset as a whole
 * cannot be read (no such file, not this layout).
 */
public interface DatasetReader {

    /**
     * Lists the dataset at {@code path}.
     *
     * @throws IllegalArgumentException when {@code path} is not a readable dataset of this layout
     */
    Dataset read(Path path);
}
