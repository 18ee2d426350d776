package dev.kclip.datasets.read;

import java.util.List;

/**
 * A dataset as read from disk: the pairs it lists (images not read yet) and the entries that could not be used.
 *
 * @param name the dataset's name, used as the pairs' {@code source}
 * @param entries usable entries, in the dataset's order
 * @param skipped unusable entries, with why
 */
public record Dataset(String name, List<PairEntry> entries, List<Skipped> skipped) {

    public Dataset {
        entries = List.copyOf(entries);
        skipped = List.copyOf(skipped);
    }
}
