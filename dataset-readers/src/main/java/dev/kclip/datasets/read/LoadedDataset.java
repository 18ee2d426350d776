package dev.kclip.datasets.read;

import dev.kclip.schemas.PairIds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A dataset with its images read into memory, for what consumes a dataset whole (evaluation, benchmarks, tests)
 * rather than streaming it to Kafka. Entries whose image cannot be read join the reader's skipped ones.
 *
 * @param name the dataset's name
 * @param pairs the usable pairs, in the dataset's order
 * @param skipped what was left out, with why (listing and reading together)
 */
public record LoadedDataset(String name, List<Pair> pairs, List<Skipped> skipped) {

    /**
     * One pair with its image bytes.
     *
     * @param id the content hash of image and caption, the id ingest gives the pair
     * @param caption the caption
     * @param image the image file's bytes
     * @param label the label, or null when the entry has none
     * @param attributes the entry's other fields ({@link PairEntry#attributes()})
     */
    public record Pair(String id, String caption, byte[] image, String label, Map<String, String> attributes) {

        public Pair {
            attributes = Map.copyOf(attributes);
        }

        /** A pair without attributes. */
        public Pair(String id, String caption, byte[] image, String label) {
            this(id, caption, image, label, Map.of());
        }
    }

    public LoadedDataset {
        pairs = List.copyOf(pairs);
        skipped = List.copyOf(skipped);
    }

    /**
     * Reads the dataset at {@code path} with {@code reader}, then every listed image.
     *
     * @throws IllegalArgumentException when the dataset as a whole cannot be read
     */
    public static LoadedDataset load(DatasetReader reader, Path path) {
        Dataset dataset = reader.read(path);
        return of(dataset.name(), dataset.entries(), dataset.skipped());
    }

    /**
     * Reads the image of each of {@code entries} (a dataset's entries, perhaps re-ordered or thinned), in order;
     * entries whose image cannot be read join {@code skipped}.
     */
    public static LoadedDataset of(String name, List<PairEntry> entries, List<Skipped> skipped) {
        List<Pair> pairs = new ArrayList<>(entries.size());
        List<Skipped> allSkipped = new ArrayList<>(skipped);
        for (PairEntry entry : entries) {
            try {
                byte[] image = ImageBytes.read(entry);
                pairs.add(new Pair(PairIds.contentHash(image, entry.caption()), entry.caption(), image, entry.label(),
                        entry.attributes()));
            } catch (SkippedException e) {
                allSkipped.add(e.skipped());
            }
        }
        return new LoadedDataset(name, pairs, allSkipped);
    }

    /** {@code skipped 3: 2 malformed line, 1 image not found}, or {@code skipped none}. */
    public String skippedSummary() {
        return skipped.isEmpty() ? "skipped none"
                : String.format(Locale.ROOT, "skipped %,d: %s", skipped.size(), Skipped.describeCounts(Skipped.countByReason(skipped)));
    }
}
